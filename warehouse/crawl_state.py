"""Crawl bookkeeping in the warehouse: runs, per-URL fetch outcomes, validators.

The SQL side of the crawler (tables in ``sql/020_crawl.sql``): opening or resuming a
run, recording fetch outcomes in bulk, reading the state the next run plans from, and
the figures of a run's summary. Takes and returns plain dicts and tuples; never imports
``flows`` or ``parsers``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

__all__ = [
    "FETCH_SCHEMA",
    "UrlState",
    "failure_examples",
    "finish_run",
    "latest_fetch",
    "missing_captures",
    "open_run",
    "record_fetches",
    "run_failures",
    "run_fetches",
    "run_info",
    "run_summary",
    "set_run_error",
    "set_discovery",
    "sitemap_cache",
    "url_states",
    "verdict_changes",
]

_TS = pa.timestamp("us", tz="UTC")

#: Columns of crawl_fetch, in table order, as Arrow types.
FETCH_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("url", pa.string()),
        ("kind", pa.string()),
        ("outcome", pa.string()),
        ("reason", pa.string()),
        ("http_status", pa.int32()),
        ("attempts", pa.int32()),
        ("requests", pa.int32()),
        ("bytes_received", pa.int64()),
        ("elapsed_ms", pa.float64()),
        ("fetched_at", _TS),
        ("final_url", pa.string()),
        ("conditional", pa.bool_()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("sitemap_lastmod", _TS),
        ("in_sitemap", pa.bool_()),
        ("change", pa.string()),
        ("payload_digest", pa.string()),
        ("capture_id", pa.string()),
        ("warc_path", pa.string()),
        ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
        ("warc_record_id", pa.string()),
        ("warc_record_type", pa.string()),
    ]
)
_DEFAULTS = {"attempts": 0, "requests": 0, "bytes_received": 0, "conditional": False}

#: An unfinished run without a given observed_at is resumed within this long of its start.
RESUME_WINDOW = timedelta(hours=20)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"datetime must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


def open_run(
    con: duckdb.DuckDBPyConnection,
    *,
    base_url: str,
    observed_at: datetime | None,
    parser_version: str | None,
    now: datetime | None = None,
) -> tuple[str, datetime, bool]:
    """Start a crawl run, or resume the unfinished one it continues.

    With `observed_at` (a simulated night) the unfinished run for the same base URL and
    observed_at is resumed; without it, the latest unfinished real run for the base URL
    that started less than RESUME_WINDOW ago. Returns ``(run_id, observed_at, resumed)``.
    """
    now = _aware(now or datetime.now(UTC))
    if observed_at is not None:
        observed_at = _aware(observed_at)
        rows = con.execute(
            """
            SELECT run_id, observed_at FROM crawl_run
            WHERE base_url = ? AND status = 'running' AND simulated AND observed_at = ?
            ORDER BY started_at DESC LIMIT 1
            """,
            [base_url, observed_at],
        ).fetchall()
        row = rows[0] if rows else None
    else:
        rows = con.execute(
            """
            SELECT run_id, observed_at FROM crawl_run
            WHERE base_url = ? AND status = 'running' AND NOT simulated AND started_at >= ?
            ORDER BY started_at DESC LIMIT 1
            """,
            [base_url, now - RESUME_WINDOW],
        ).fetchall()
        row = rows[0] if rows else None
    if row is not None:
        con.execute(
            "UPDATE crawl_run SET starts = starts + 1, resumed_at = ?, parser_version = ? "
            "WHERE run_id = ?",
            [now, parser_version, row[0]],
        )
        return row[0], _aware(row[1]), True
    stamp = observed_at or now
    run_id = f"{stamp:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
    con.execute(
        """
        INSERT INTO crawl_run (run_id, base_url, observed_at, simulated, started_at, starts,
                               status, parser_version)
        VALUES (?, ?, ?, ?, ?, 1, 'running', ?)
        """,
        [run_id, base_url, stamp, observed_at is not None, now, parser_version],
    )
    return run_id, stamp, False


def set_discovery(con: duckdb.DuckDBPyConnection, run_id: str, mode: str) -> None:
    """Record how the run found its URLs: 'sitemap' or 'links'."""
    con.execute("UPDATE crawl_run SET discovery = ? WHERE run_id = ?", [mode, run_id])


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str = "finished",
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Mark a run finished (or failed, with a one-line error)."""
    con.execute(
        "UPDATE crawl_run SET status = ?, error = ?, finished_at = ? WHERE run_id = ?",
        [status, error, _aware(now or datetime.now(UTC)), run_id],
    )


def run_info(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any] | None:
    """The crawl_run row of a run as a dict, or None."""
    cur = con.execute("SELECT * FROM crawl_run WHERE run_id = ?", [run_id])
    rows = cur.fetchall()
    row = rows[0] if rows else None
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def record_fetches(con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or replace crawl_fetch rows (keyed by run_id, url) in one statement.

    Each row is a dict with crawl_fetch's column names; missing columns are NULL (or 0 /
    false for the counters). Later rows for the same key win. Returns rows written.
    """
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        full = {name: row.get(name, _DEFAULTS.get(name)) for name in FETCH_SCHEMA.names}
        for name, default in _DEFAULTS.items():
            if full[name] is None:
                full[name] = default
        unique[(full["run_id"], full["url"])] = full
    if not unique:
        return 0
    table = pa.Table.from_pylist(list(unique.values()), schema=FETCH_SCHEMA)
    name = "_va_crawl_fetch_rows"
    con.register(name, table)
    try:
        cols = ", ".join(FETCH_SCHEMA.names)
        con.execute(f"INSERT OR REPLACE INTO crawl_fetch ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)
    return len(unique)


def run_fetches(
    con: duckdb.DuckDBPyConnection, run_id: str, *, kind: str | None = "page"
) -> dict[str, dict[str, Any]]:
    """The crawl_fetch rows of one run (of one kind, or all with kind=None), by URL."""
    sql = "SELECT * FROM crawl_fetch WHERE run_id = ?"
    params: list[Any] = [run_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return {row[1]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


@dataclass(frozen=True)
class UrlState:
    """What the warehouse knows about one page URL before a run plans it.

    Validators and lastmod are from the latest successful fetch (`last_success_at` is the
    observed_at of its run: simulated nights age like real ones); `last_outcome` is the
    latest outcome other than 'skipped'; the capture fields name the capture holding the
    page as of that fetch (what a revisit record refers to).
    """

    url: str
    last_outcome: str | None
    last_reason: str | None
    last_in_sitemap: bool | None
    last_success_at: datetime | None
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: datetime | None
    payload_digest: str | None
    capture_id: str | None
    capture_url: str | None
    capture_observed_at: datetime | None
    capture_record_id: str | None


def url_states(
    con: duckdb.DuckDBPyConnection, urls: Iterable[str] | None = None
) -> dict[str, UrlState]:
    """The :class:`UrlState` of every page URL the crawl has planned before (or of `urls`)."""
    sql = """
        SELECT s.url, s.last_outcome, s.last_reason, s.last_in_sitemap,
               v.run_observed_at, v.etag, v.last_modified, v.sitemap_lastmod, v.payload_digest,
               v.capture_id, c.url, c.observed_at, c.warc_record_id
        FROM crawl_url_status s
        LEFT JOIN crawl_validators v USING (url)
        LEFT JOIN capture c ON c.capture_id = v.capture_id
    """
    name = None
    if urls is not None:
        name = "_va_state_urls"
        con.register(name, pa.table({"url": pa.array(sorted(set(urls)), pa.string())}))
        sql += f" WHERE s.url IN (SELECT url FROM {name})"
    try:
        rows = con.execute(sql).fetchall()
    finally:
        if name:
            con.unregister(name)
    return {row[0]: UrlState(*row) for row in rows}


def latest_fetch(
    con: duckdb.DuckDBPyConnection, url: str, *, outcome: str = "fetched"
) -> dict[str, Any] | None:
    """The latest crawl_fetch row of `url` with `outcome` (e.g. the last good robots.txt)."""
    cur = con.execute(
        "SELECT * FROM crawl_fetch WHERE url = ? AND outcome = ? "
        "ORDER BY fetched_at DESC NULLS LAST LIMIT 1",
        [url, outcome],
    )
    rows = cur.fetchall()
    row = rows[0] if rows else None
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def sitemap_cache(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per sitemap URL: the validators of its latest successful fetch and where the body
    of its latest 200 is archived, so tonight's discovery can send a conditional GET and,
    on a 304, read the sitemap back from the WARC."""
    cur = con.execute(
        """
        WITH ok AS (
            SELECT * FROM crawl_fetch
            WHERE kind = 'sitemap' AND outcome IN ('fetched', 'not_modified')
        ),
        validators AS (
            SELECT url, etag, last_modified FROM ok
            QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
        ),
        bodies AS (
            SELECT url, warc_path, warc_offset, payload_digest FROM ok
            WHERE http_status = 200 AND warc_path IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
        )
        SELECT v.url, v.etag, v.last_modified, b.warc_path, b.warc_offset
        FROM validators v JOIN bodies b USING (url)
        WHERE v.etag IS NOT NULL OR v.last_modified IS NOT NULL
        """
    )
    names = [d[0] for d in cur.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def missing_captures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Fetch rows of `run_id` that made a new capture whose capture row is not loaded.

    After a crash between the WARC write and the warehouse load; the caller re-parses
    these from the WARC instead of refetching them.
    """
    cur = con.execute(
        """
        SELECT f.* FROM crawl_fetch f
        WHERE f.run_id = ? AND f.change IN ('new', 'changed') AND f.capture_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM capture c WHERE c.capture_id = f.capture_id)
        """,
        [run_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """The crawl_run_summary row of a run as a dict (counts, requests, bytes)."""
    cur = con.execute("SELECT * FROM crawl_run_summary WHERE run_id = ?", [run_id])
    rows = cur.fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise KeyError(run_id)
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def run_failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, int]]:
    """(kind, reason, count) of the run's failed fetches, most common first."""
    return con.execute(
        """
        SELECT kind, coalesce(reason, 'unknown') AS reason, count(*) AS n
        FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed'
        GROUP BY ALL ORDER BY n DESC, reason
        """,
        [run_id],
    ).fetchall()


def verdict_changes(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Verdicts that changed in this run's new captures, vs the previous capture of the
    same page URL: a tool card's panel_verdict, badge or panel_ship_pct, or a review's
    verdict or score (reviews matched by tool and persona). Pages disagree with each
    other, so each page is compared only with its own earlier state."""
    cur = con.execute(
        """
        WITH tonight AS (
            SELECT capture_id, url, observed_at FROM capture
            WHERE source = 'crawl' AND source_ref = ?
        ),
        prev AS (
            SELECT t.capture_id, t.url,
                   (SELECT p.capture_id FROM capture p
                    WHERE p.url = t.url AND p.observed_at < t.observed_at
                      AND p.parse_status <> 'error'
                    ORDER BY p.observed_at DESC LIMIT 1) AS prev_id
            FROM tonight t
        ),
        tools AS (
            SELECT p.url, n.tool_slug, coalesce(n.name, n.tool_slug) AS subject,
                   'tool' AS what, f.field,
                   f.old_value, f.new_value
            FROM prev p
            JOIN tool_observation n ON n.capture_id = p.capture_id
            JOIN tool_observation o ON o.capture_id = p.prev_id AND o.position = n.position
            CROSS JOIN LATERAL (VALUES
                ('panel_verdict', o.panel_verdict, n.panel_verdict),
                ('badge', o.badge, n.badge),
                ('panel_ship_pct', o.panel_ship_pct::VARCHAR, n.panel_ship_pct::VARCHAR)
            ) f(field, old_value, new_value)
            WHERE f.old_value IS DISTINCT FROM f.new_value
              AND f.old_value IS NOT NULL AND f.new_value IS NOT NULL
        ),
        reviews AS (
            SELECT p.url, n.tool_slug, n.persona AS subject, 'review' AS what, f.field,
                   f.old_value, f.new_value
            FROM prev p
            JOIN review_observation n ON n.capture_id = p.capture_id
            JOIN review_observation o ON o.capture_id = p.prev_id
                 AND o.tool_slug IS NOT DISTINCT FROM n.tool_slug AND o.persona = n.persona
            CROSS JOIN LATERAL (VALUES
                ('verdict', o.verdict, n.verdict),
                ('score', o.score::VARCHAR, n.score::VARCHAR)
            ) f(field, old_value, new_value)
            WHERE n.persona IS NOT NULL AND NOT n.persona_inferred AND NOT o.persona_inferred
              AND f.old_value IS DISTINCT FROM f.new_value
              AND f.old_value IS NOT NULL AND f.new_value IS NOT NULL
        )
        SELECT * FROM tools UNION ALL SELECT * FROM reviews
        ORDER BY url, tool_slug, what, subject, field
        """,
        [run_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def failure_examples(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    """reason → one example URL, for the failed fetches of a run."""
    rows = con.execute(
        "SELECT reason, min(url) FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed' "
        "GROUP BY reason", [run_id]
    ).fetchall()
    return {reason: url for reason, url in rows}


def set_run_error(con: duckdb.DuckDBPyConnection, run_id: str, error: str) -> None:
    """Record one line saying why a run stopped (the status is left as it is)."""
    con.execute("UPDATE crawl_run SET error = ? WHERE run_id = ?", [error[:500], run_id])
