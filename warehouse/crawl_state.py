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
from enum import StrEnum
from typing import Any

import duckdb
import pyarrow as pa

from warehouse._tx import registered, transaction
from warehouse.queries import query
from warehouse.records import RUN_STAMP

__all__ = [
    "RunStatus",
    "UrlState",
    "fail_run",
    "failure_example_lists",
    "failure_examples",
    "fetch_schema",
    "finish_run",
    "latest_fetch",
    "missing_captures",
    "open_run",
    "parse_baseline",
    "parse_error_examples",
    "record_fetches",
    "record_known_out_of_scope",
    "run_failures",
    "run_fetches",
    "run_health",
    "run_summary",
    "run_unchanged",
    "set_run_error",
    "set_discovery",
    "sitemap_cache",
    "url_states",
    "verdict_changes",
]

#: An unfinished run without a given observed_at is resumed within this long of its start.
RESUME_WINDOW = timedelta(hours=20)


class RunStatus(StrEnum):
    """crawl_run.status."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"datetime must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows of an executed query as dicts keyed by column name."""
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def open_run(
    con: duckdb.DuckDBPyConnection,
    *,
    base_url: str,
    observed_at: datetime | None,
    parser_version: str | None,
    now: datetime | None = None,
) -> tuple[str, datetime, bool]:
    """Start a crawl run, or resume the one it continues (a real run: only unfinished).

    With `observed_at` (a simulated night) the night's run for the same base URL is
    resumed whatever its status (a night is one run, however often it is started); without
    it, the latest unfinished real run for the base URL that started less than
    RESUME_WINDOW ago. Returns ``(run_id, observed_at, resumed)``.
    """
    now = _aware(now or datetime.now(UTC))
    if observed_at is not None:
        observed_at = _aware(observed_at)
        found = con.execute(
            query("crawl_run_of_night"), [base_url, observed_at]
        ).fetchall()
    else:
        found = con.execute(
            query("crawl_run_unfinished_real"), [base_url, now - RESUME_WINDOW]
        ).fetchall()
    if found:
        run_id, run_observed_at = found[0]
        con.execute(query("crawl_run_resume"), [now, parser_version, run_id])
        return run_id, _aware(run_observed_at), True
    stamp = observed_at or now.replace(microsecond=0)  # whole seconds: the id dates the run
    run_id = f"{stamp:{RUN_STAMP}}-{secrets.token_hex(4)}"
    con.execute(
        query("crawl_run_insert"),
        [run_id, base_url, stamp, observed_at is not None, now, parser_version],
    )
    return run_id, stamp, False


def set_discovery(con: duckdb.DuckDBPyConnection, run_id: str, mode: str) -> None:
    """Record how the run found its URLs: 'sitemap' or 'links'."""
    con.execute(query("crawl_run_set_discovery"), [mode, run_id])


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str = RunStatus.FINISHED,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Mark a run finished (or failed, with a one-line error)."""
    con.execute(
        query("crawl_run_finish"), [status, error, _aware(now or datetime.now(UTC)), run_id]
    )


def fetch_schema(con: duckdb.DuckDBPyConnection) -> pa.Schema:
    """The Arrow schema of crawl_fetch, read from the table itself (sql/020_crawl.sql is
    the one place its columns are listed)."""
    return con.table("crawl_fetch").limit(0).to_arrow_table().schema


def record_fetches(con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or replace crawl_fetch rows (keyed by run_id, url), and bring the pages'
    crawl_url_state up to date, in one transaction.

    Each row is a mapping with crawl_fetch's column names (e.g. ``FetchRow.to_dict()``);
    missing columns are NULL (or 0 / false for the counters). Later rows for the same key
    win. A page skipped as 'unchanged' is not stored as a row: it is counted in
    crawl_run_skip and noted in its crawl_url_state. Returns rows recorded.
    """
    if not rows:
        return 0
    schema = fetch_schema(con)
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        full: dict[str, Any] = {name: row.get(name) for name in schema.names}
        unique[(full["run_id"], full["url"])] = full
    name = "_va_crawl_fetch_rows"  # the name crawl_fetch_upsert.sql reads
    table = pa.Table.from_pylist(list(unique.values()), schema=schema)
    with registered(con, {name: table}), transaction(con):
        con.execute(query("crawl_fetch_upsert"))
        con.execute(query("page_gone_from_fetches"))  # the page-life evidence, 035_page_gone.sql
        con.execute(query("crawl_run_skip_count"))  # before the state: it reads its marks
        con.execute(query("crawl_url_state_upsert"))
    return len(unique)


def run_fetches(
    con: duckdb.DuckDBPyConnection, run_id: str, *, kind: str | None = "page"
) -> dict[str, dict[str, Any]]:
    """The crawl_fetch rows of one run (of one kind, or all with kind=None), by URL."""
    if kind is None:
        cur = con.execute(query("crawl_fetch_of_run"), [run_id])
    else:
        cur = con.execute(query("crawl_fetch_of_run_kind"), [run_id, kind])
    return {row["url"]: row for row in _dicts(cur)}


def record_known_out_of_scope(con: duckdb.DuckDBPyConnection, run_id: str, pages: int) -> None:
    """Count, in crawl_run_skip, the discovered URLs a run found out of scope again (an
    earlier run recorded each with a row). Set, not added: a resumed run plans the same
    URLs again and counts them anew (none found: an earlier start's count is cleared)."""
    reason = "not_a_comparison_page"
    if pages:
        con.execute(query("crawl_run_skip_set"), [run_id, reason, pages])
    else:
        con.execute(query("crawl_run_skip_clear"), [run_id, reason])


def run_unchanged(con: duckdb.DuckDBPyConnection, run_id: str) -> set[str]:
    """The page URLs a run has left alone as unchanged so far (they have no crawl_fetch
    row: a resumed run leaves them alone again instead of planning them twice)."""
    return {url for (url,) in con.execute(query("crawl_run_unchanged"), [run_id]).fetchall()}


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
    name = "_va_state_urls"  # the name crawl_url_states.sql reads
    wanted = sorted(set(urls)) if urls is not None else []
    con.register(name, pa.table({"url": pa.array(wanted, pa.string())}))
    try:
        rows = con.execute(query("crawl_url_states"), [urls is None]).fetchall()
    finally:
        con.unregister(name)
    return {row[0]: UrlState(*row) for row in rows}


def latest_fetch(
    con: duckdb.DuckDBPyConnection, url: str, *, outcome: str = "fetched"
) -> dict[str, Any] | None:
    """The latest crawl_fetch row of `url` with `outcome` (e.g. the last good robots.txt)."""
    rows = _dicts(con.execute(query("crawl_latest_fetch"), [url, outcome]))
    return rows[0] if rows else None


def sitemap_cache(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per sitemap URL: the validators of its latest successful fetch and where the body
    of its latest 200 is archived, so tonight's discovery can send a conditional GET and,
    on a 304, read the sitemap back from the WARC."""
    return {row["url"]: row for row in _dicts(con.execute(query("crawl_sitemap_cache")))}


def missing_captures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Fetch rows of `run_id` that made a new capture whose capture row is not loaded.

    After a crash between the WARC write and the warehouse load; the caller re-parses
    these from the WARC instead of refetching them.
    """
    return _dicts(con.execute(query("crawl_missing_captures"), [run_id]))


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """The crawl_run_summary row of a run as a dict (counts, requests, bytes)."""
    rows = _dicts(con.execute(query("crawl_run_summary"), [run_id]))
    if not rows:
        raise KeyError(run_id)
    return rows[0]


def run_failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, int]]:
    """(kind, reason, count) of the run's failed fetches, most common first."""
    return con.execute(query("crawl_run_failures"), [run_id]).fetchall()


def verdict_changes(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Verdicts that changed in this run's new captures, vs the previous capture of the
    same page URL: a tool card's panel_verdict, badge or panel_ship_pct, or a review's
    verdict or score (reviews matched by tool and persona). Pages disagree with each
    other, so each page is compared only with its own earlier state."""
    return _dicts(con.execute(query("crawl_verdict_changes"), [run_id]))


def failure_examples(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    """reason → one example URL (the first in URL order), for the failed fetches of a run."""
    return {reason: urls[0] for reason, urls in failure_example_lists(con, run_id).items()}


def failure_example_lists(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, list[str]]:
    """reason → up to 3 example URLs, for the failed fetches of a run."""
    out: dict[str, list[str]] = {}
    for reason, url in con.execute(query("crawl_failure_examples"), [run_id]).fetchall():
        out.setdefault(reason, []).append(url)
    return out


def parse_error_examples(con: duckdb.DuckDBPyConnection, run_id: str
                         ) -> dict[str, list[str]]:
    """parse error → up to 3 example URLs, for the run's new captures that failed to parse."""
    out: dict[str, list[str]] = {}
    for error, url in con.execute(query("crawl_parse_error_examples"), [run_id]).fetchall():
        out.setdefault(error, []).append(url)
    return out


def run_health(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """The figures a run's verdict on itself is made from (see crawl_run_health.sql)."""
    rows = _dicts(con.execute(query("crawl_run_health"), [run_id]))
    return {k: int(v or 0) for k, v in rows[0].items()}


def parse_baseline(con: duckdb.DuckDBPyConnection, run_id: str, *, min_captures: int
                   ) -> tuple[str, int, int] | None:
    """(run_id, captures, parsed) of the last finished run before `run_id` with at least
    `min_captures` new captures, or None."""
    rows = con.execute(query("crawl_parse_baseline"), [run_id, min_captures]).fetchall()
    return (str(rows[0][0]), int(rows[0][1]), int(rows[0][2])) if rows else None


def fail_run(con: duckdb.DuckDBPyConnection, run_id: str, error: str) -> None:
    """Mark a run that stopped before its end 'failed', with one line saying why; the next
    start resumes it (its finished_at stays NULL)."""
    con.execute(query("crawl_run_fail"), [" ".join(error.split())[:500], run_id])


def set_run_error(con: duckdb.DuckDBPyConnection, run_id: str, error: str) -> None:
    """Record one line saying why a run stopped (the status is left as it is)."""
    con.execute(query("crawl_run_set_error"), [error[:500], run_id])
