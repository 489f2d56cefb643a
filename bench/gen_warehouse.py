"""Generate a large synthetic warehouse fast, entirely in DuckDB (no Python loops).

Shape (defaults: 10 million review observations): T tools from a dozen vendors (some
unknown), P comparison pages (pairs of tools), each captured every night for D nights
(the crawl revisits every page), 20 % of captures compact (no badges, unscored reviews
whose quotes match the full pages'), 1 % truncated; every tool/review has 4 personas.
About 30 % of tools change their panel share (and their reviews' scores and texts) on one
night, and 1 % of card observations disagree with the tool's true figure (pages that
disagree). Reviews = P × D × 8, tool observations = P × D × 2, captures = P × D.

    python -m bench.gen_warehouse [--reviews 10000000] [--out DIR]

`generate_tables()` returns Arrow tables (one per core table); `bulk_load()` moves them
into a warehouse with one INSERT … SELECT per table (the way warehouse.load does).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

VENDOR_PREFIXES = [
    "hugging-face", "mistral-ai", "meta", "google", "anthropic", "openai", "microsoft",
    "nvidia", "deepseek", "alibaba", "cohere", "acme", "zentrix", "windsurf",
]  # fmt: skip
CATEGORIES = [
    "Developer Tools", "AI Models", "Open Source Models", "Foundation Models", "Models",
    "AI/ML Models", "Developer Productivity",
]  # fmt: skip
PERSONAS = ["Builder", "Skeptic", "Futurist", "Founder"]
TABLES = ("capture", "tool", "comparison", "tool_observation", "review_observation")


def shape(reviews: int, days: int = 50) -> tuple[int, int, int]:
    """(tools, pages, days) giving about `reviews` review observations."""
    pages = max(10, reviews // (days * 8))
    tools = max(10, pages // 5)
    return tools, pages, days


def generate_tables(reviews: int = 10_000_000, days: int = 50) -> dict[str, pa.Table]:
    """The five core tables as Arrow tables, deterministic for a given size."""
    tools, pages, days = shape(reviews, days)
    g = duckdb.connect()
    g.execute("SET TimeZone = 'UTC'")
    g.execute("SET enable_progress_bar = false")
    g.execute("CREATE MACRO pick(lst, k) AS lst[(1 + k % len(lst))::BIGINT]")
    # capture columns as functions of (page, night), so no table re-reads their strings
    g.execute("CREATE MACRO cap_id(pid, day) AS md5(pid || '-' || day)")
    g.execute(
        "CREATE MACRO cap_at(pid, day) AS TIMESTAMPTZ '2025-01-06 00:00:00+00' "
        "+ to_days(day::INTEGER) + to_seconds((hash(pid, 't') % 80000)::BIGINT)"
    )
    g.execute(
        "CREATE MACRO cap_layout(pid, day) AS "
        "CASE WHEN hash(pid, day, 'l') % 100 < 20 THEN 'compact' ELSE 'full' END"
    )
    g.execute(
        """
        CREATE TABLE g_tool AS
        SELECT i AS tid,
               pick($prefixes, hash(i, 'v')) || '-tool-' || i AS slug,
               'Tool ' || i AS name,
               pick($categories, hash(i, 'c')) AS category,
               pick([25, 50, 67, 75, 100], hash(i, 'p')) AS base_pct,
               pick([25, 50, 67, 75, 100], hash(i, 'q')) AS alt_pct,
               CASE WHEN hash(i, 'ch') % 100 < 30 THEN (hash(i, 'd') % $days)::INTEGER END
                   AS change_day
        FROM range($tools) t(i)
        """,
        {"prefixes": VENDOR_PREFIXES, "categories": CATEGORIES, "days": days, "tools": tools},
    )
    g.execute(
        """
        CREATE TABLE g_page AS
        WITH cand AS (
            SELECT DISTINCT least(a, b) AS a, greatest(a, b) AS b
            FROM (SELECT hash(j, 'a') % $tools AS a, hash(j, 'b') % $tools AS b
                  FROM range($cand) t(j))
            WHERE a <> b
        )
        SELECT row_number() OVER (ORDER BY a, b) - 1 AS pid,
               CASE WHEN ta.slug < tb.slug THEN ta.tid ELSE tb.tid END AS a_tid,
               CASE WHEN ta.slug < tb.slug THEN tb.tid ELSE ta.tid END AS b_tid,
               least(ta.slug, tb.slug) AS a_slug, greatest(ta.slug, tb.slug) AS b_slug
        FROM (SELECT * FROM cand ORDER BY hash(a, b) LIMIT $pages) c
        JOIN g_tool ta ON ta.tid = c.a
        JOIN g_tool tb ON tb.tid = c.b
        """,
        {"tools": tools, "pages": pages, "cand": int(pages * 1.3) + 100},
    )
    g.execute(
        """
        CREATE TABLE capture AS
        SELECT cap_id(p.pid, d.day) AS capture_id,
               'https://shiporskip.io/compare/' || p.a_slug || '-vs-' || p.b_slug AS url,
               cap_at(p.pid, d.day) AS observed_at,
               'crawl' AS source, 'bench' AS source_ref, 200 AS http_status,
               'text/html' AS content_type, 'sha1:' || md5(p.pid || 'x' || d.day) AS payload_digest,
               40000::BIGINT AS payload_bytes, NULL::VARCHAR AS warc_path,
               NULL::BIGINT AS warc_offset,
               NULL::BIGINT AS warc_length, NULL::VARCHAR AS warc_record_id,
               'bench' AS parser_version,
               CASE WHEN hash(p.pid, d.day, 'tr') % 100 = 0 THEN 'truncated' ELSE 'ok' END
                   AS parse_status,
               NULL::VARCHAR AS parse_error,
               cap_layout(p.pid, d.day) AS layout,
               'Tool ' || p.a_tid || ' vs Tool ' || p.b_tid AS title,
               p.pid, d.day::INTEGER AS day
        FROM g_page p, range($days) d(day)
        """,
        {"days": days},
    )
    g.execute(
        """
        CREATE TABLE g_card AS
        SELECT cap_id(p.pid, d.day) AS capture_id, cap_at(p.pid, d.day) AS observed_at,
               cap_layout(p.pid, d.day) AS layout, d.day::INTEGER AS day, p.pid, pos.position,
               t.tid, t.slug, t.name, t.category, t.change_day,
               CASE WHEN hash(p.pid, d.day, pos.position) % 100 = 0
                        THEN pick([25, 50, 67, 75, 100], hash(p.pid, d.day, 'n'))
                    WHEN d.day >= t.change_day THEN t.alt_pct ELSE t.base_pct END AS pct
        FROM g_page p
        CROSS JOIN range($days) d(day)
        CROSS JOIN (VALUES (1), (2)) pos(position)
        JOIN g_tool t ON t.tid = CASE pos.position WHEN 1 THEN p.a_tid ELSE p.b_tid END
        """,
        {"days": days},
    )
    g.execute(
        """
        CREATE TABLE tool_observation AS
        SELECT capture_id, position::TINYINT AS position, observed_at, slug AS tool_slug, name,
               category, name || ' tagline' AS tagline,
               CASE WHEN layout = 'full' THEN
                   CASE WHEN pct > 50 THEN 'Ship' WHEN pct = 50 THEN 'Mixed' ELSE 'Skip' END
               END AS badge,
               pct::INTEGER AS panel_ship_pct, NULL::INTEGER AS community_pct, 'Free' AS entry,
               name || ' is a model from its vendor.' AS description,
               CASE WHEN layout = 'full' THEN
                   CASE WHEN pct > 50 THEN 'Ship' WHEN pct = 50 THEN 'Mixed' ELSE 'Skip' END
               END AS panel_verdict,
               CASE WHEN layout = 'full' THEN round(pct * 4 / 100)::INTEGER END AS ship_votes,
               CASE WHEN layout = 'full' THEN 4 - round(pct * 4 / 100)::INTEGER END AS skip_votes,
               CASE WHEN layout = 'full' THEN 'Free / Open weights' END AS pricing,
               CASE WHEN layout = 'full' THEN name || ' tagline' END AS best_for
        FROM g_card
        """
    )
    g.execute(
        """
        CREATE TABLE review_observation AS
        SELECT k.capture_id,
               ((pe.i - 1) * 2 + k.position)::SMALLINT AS ordinal,
               k.observed_at, k.position::TINYINT AS tool_position, k.slug AS tool_slug,
               pe.persona, k.layout = 'compact' AS persona_inferred,
               CASE WHEN k.layout = 'full' THEN s.score END AS score,
               CASE WHEN k.layout = 'full' THEN
                   CASE WHEN s.score >= 60 THEN 'ship' ELSE 'skip' END END AS verdict,
               pe.persona || ' on ' || k.name || ', take ' || s.version
                   || ': the primitive is clean and the DX bet is right.' AS quote
        FROM g_card k
        CROSS JOIN (SELECT unnest($personas) AS persona,
                           generate_subscripts($personas, 1) AS i) pe
        CROSS JOIN LATERAL (
            SELECT (50 + hash(k.tid, pe.persona) % 40
                    + CASE WHEN k.day >= k.change_day THEN -12 ELSE 0 END)::INTEGER AS score,
                   CASE WHEN k.day >= k.change_day THEN 2 ELSE 1 END AS version
        ) s
        """,
        {"personas": PERSONAS},
    )
    out = {
        "capture": g.sql("SELECT * EXCLUDE (pid, day) FROM capture").to_arrow_table(),
        "tool": g.sql("SELECT slug FROM g_tool").to_arrow_table(),
        "comparison": g.sql(
            "SELECT a_slug AS tool_a_slug, b_slug AS tool_b_slug FROM g_page"
        ).to_arrow_table(),
        "tool_observation": g.sql("SELECT * FROM tool_observation").to_arrow_table(),
        "review_observation": g.sql("SELECT * FROM review_observation").to_arrow_table(),
    }
    g.close()
    return out


def bulk_load(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, float]:
    """Insert each Arrow table with one INSERT … SELECT in one transaction; seconds per table."""
    times: dict[str, float] = {}
    con.execute("BEGIN TRANSACTION")
    for name in TABLES:
        arrow = tables[name]
        con.register("_bench_src", arrow)
        started = time.perf_counter()
        cols = ", ".join(arrow.schema.names)
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _bench_src")
        times[name] = time.perf_counter() - started
        con.unregister("_bench_src")
    con.execute("COMMIT")
    return times


def default_dir() -> Path:
    return Path(tempfile.gettempdir()) / "verdicts-bench"


def main(argv: list[str] | None = None) -> int:
    """Generate the warehouse file and print what it holds."""
    from warehouse.db import connect

    ap = argparse.ArgumentParser(prog="python -m bench.gen_warehouse")
    ap.add_argument("--reviews", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=default_dir())
    args = ap.parse_args(argv)
    db = args.out / "verdicts.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    tables = generate_tables(args.reviews)
    print(f"generated in {time.perf_counter() - started:.1f} s")
    con = connect(db)
    times = bulk_load(con, tables)
    con.close()
    for name in TABLES:
        print(f"{name:20} {tables[name].num_rows:>12,} rows  {times[name]:6.2f} s")
    print(db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
