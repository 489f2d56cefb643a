"""One more night on the generated warehouse: 1% of the pages changed, loaded and refreshed
incrementally, against the full refresh (the old way) measured in the same process.

Called by ``python -m bench.views`` after its full refresh; on its own:

    python -m bench.warehouse_night [--out DIR] [--share 0.01]

(on the warehouse ``bench.gen_warehouse`` / ``bench.views`` left in DIR). The changed
pages get a new capture the night after the last one, with a new panel ship % and new
review scores and texts (so fills, histories, trends and vendors all have work to do).
Figures: the load (and the old load's statements on the same batch, rolled back), the
incremental refresh, the publish, and the full refresh; the derived tables' checksums
after the incremental refresh must equal those after the full one.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bench.gen_warehouse import default_dir

DERIVED = ("review_fill", "tool_state", "review_state", "trend_state", "tool_vendor")

#: the load's statements before issue 10 (each scanned every capture id per batch)
OLD_LOAD = (
    "SELECT capture_id FROM internal.capture WHERE capture_id IN "
    "(SELECT capture_id FROM _bench_ids)",
    "INSERT INTO internal.capture BY NAME SELECT * FROM _bench_capture "
    "WHERE capture_id NOT IN (SELECT capture_id FROM internal.capture)",
)


def _page(con: duckdb.DuckDBPyConnection, capture_id: str, url: str) -> dict[str, Any]:
    """The page dict of a capture, changed: panel % moved, scores down 7, texts v3."""
    tools = [dict(zip(("position", "slug", "name", "category", "tagline", "panel_ship_pct",
                       "entry", "description"), row, strict=True))
             for row in con.execute(
                 "SELECT position, tool_slug, name, category, tagline, panel_ship_pct, entry, "
                 "description FROM internal.tool_observation WHERE capture_id = ?",
                 [capture_id]).fetchall()]
    for t in tools:
        pct = 100 - (t["panel_ship_pct"] or 50)
        t.update(panel_ship_pct=pct, badge="Ship" if pct > 50 else "Mixed" if pct == 50
                 else "Skip")
    reviews = [{"ordinal": o, "tool_position": p, "persona": who, "persona_inferred": False,
                "score": max(0, (s or 60) - 7), "verdict": "skip", "quote": f"{q} (v3)"}
               for o, p, who, s, q in con.execute(
                   "SELECT ordinal, tool_position, persona, score, quote "
                   "FROM internal.review_observation WHERE capture_id = ?",
                   [capture_id]).fetchall()]
    return {"url": url, "layout": "full", "title": "changed", "tools": tools,
            "reviews": reviews}


def changed_night(con: duckdb.DuckDBPyConnection, share: float, seed: int = 7) -> list[Any]:
    """CaptureRecords for `share` of the pages: their last capture, changed, a night later."""
    from warehouse.records import CaptureRecord

    latest = con.execute(
        "SELECT url, arg_max(capture_id, observed_at), max(observed_at) "
        "FROM internal.capture GROUP BY url ORDER BY url").fetchall()
    chosen = random.Random(seed).sample(latest, max(1, round(len(latest) * share)))
    out = []
    for url, cid, at in chosen:
        out.append(CaptureRecord(
            url=url, observed_at=at + timedelta(days=1), source="crawl", source_ref="bench",
            http_status=200, content_type="text/html", payload_digest=f"sha1:night-{cid}",
            payload_bytes=40000, warc_path=None, warc_offset=None, warc_length=None,
            warc_record_id=None, parser_version="bench", page=_page(con, cid, url)))
    return out


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Any, ...]]:
    """Row count and an order-free hash of every derived table."""
    return {t: tuple(con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(x)), 0) FROM internal.{t} x").fetchall()[0])
        for t in DERIVED}


def old_load_seconds(con: duckdb.DuckDBPyConnection, records: list[Any]) -> float:
    """The old load's capture statements on the same batch, in a rolled-back transaction."""
    from warehouse.rows import load_tables

    tables = load_tables({r.capture_id: r for r in records})
    con.register("_bench_ids", pa.table({"capture_id": [r.capture_id for r in records]}))
    con.register("_bench_capture", tables.capture)
    con.begin()
    started = time.perf_counter()
    try:
        for sql in OLD_LOAD:
            con.execute(sql).fetchall()
        return time.perf_counter() - started
    finally:
        con.rollback()
        con.unregister("_bench_ids")
        con.unregister("_bench_capture")


def run(db: Path, con: duckdb.DuckDBPyConnection, share: float = 0.01) -> dict[str, float]:
    """Load a `share`-changed night, refresh incrementally, publish, then refresh in full;
    print and return the seconds of each."""
    from warehouse.history import refresh_analytics
    from warehouse.load import load_captures
    from warehouse.snapshot import publish_snapshot

    refresh_analytics(con)  # start from a refreshed warehouse
    records = changed_night(con, share)
    out = {"old load statements (rolled back)": old_load_seconds(con, records)}
    started = time.perf_counter()
    load_captures(con, records)
    out["load_captures"] = time.perf_counter() - started
    started = time.perf_counter()
    assert refresh_analytics(con)
    out["incremental refresh"] = time.perf_counter() - started
    mode = con.execute("SELECT mode FROM internal.analytics_refresh "
                       "ORDER BY refreshed_at DESC LIMIT 1").fetchall()[0][0]
    incremental = checksums(con)
    started = time.perf_counter()
    publish_snapshot(db, con)  # checks staleness (nothing to do), CHECKPOINT, copy, rename
    out["publish_snapshot"] = time.perf_counter() - started
    started = time.perf_counter()
    refresh_analytics(con, force=True)
    out["full refresh (old way)"] = time.perf_counter() - started
    same = checksums(con) == incremental
    pages = len(records)
    print(f"\nA night with {share:.0%} of the pages changed ({pages:,} new captures, "
          f"refresh mode '{mode}'):")
    for name, secs in out.items():
        print(f"  {name:36} {secs:8.2f} s")
    full, inc = out["full refresh (old way)"], out["incremental refresh"]
    print(f"  incremental / full refresh: {inc / full:.3f} ({full / inc:.0f}x faster); "
          f"derived tables identical to the full rebuild: {same}")
    if not same:
        raise SystemExit("incremental refresh differs from the full rebuild")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the night on the warehouse left in --out."""
    from warehouse.db import connect

    ap = argparse.ArgumentParser(prog="python -m bench.warehouse_night")
    ap.add_argument("--out", type=Path, default=default_dir())
    ap.add_argument("--share", type=float, default=0.01)
    args = ap.parse_args(argv)
    db = args.out / "verdicts.duckdb"
    con = connect(db)
    con.execute("SET enable_progress_bar = false")
    try:
        run(db, con, args.share)
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
