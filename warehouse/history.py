"""Materialising the derived tables: vendors, categories, the compact-score fill, SCD2
histories and trends — in full, or only for what changed.

The histories are defined by table macros (``internal.tool_state_of(scoped)``, …; the
``*_live`` views are their unscoped form): the cards' and reviews' in
``sql/040_history.sql``, page life and the trends in ``sql/045_trend.sql``; and the fill
of compact pages' scores by ``internal.review_fill_of`` (``sql/015_reviews.sql``).
:func:`refresh_analytics` is the one hook (``publish_snapshot`` calls it): when nothing
changed it does nothing; when only captures or crawl outcomes changed it recomputes the
rows of what the loaders logged (``sql/012_refresh_log.sql``; see
:mod:`warehouse.incremental`); when the fingerprint — schema, mapping files, vendor rules,
parser versions — changed, or a write bypassed the loaders, it rebuilds everything.

A refresh is a pure function of the observation set, so neither the order in which
captures were loaded nor incremental vs full rebuilding ever shows in the result
(tests/warehouse/test_incremental.py compares the two row for row).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import duckdb

from warehouse import categories, vendor
from warehouse._tx import transaction
from warehouse.db import schema_files
from warehouse.incremental import has_pending, refresh_pending
from warehouse.queries import query
from warehouse.vendor_registry import files_digest

__all__ = [
    "HISTORY_TABLES",
    "Mode",
    "fingerprint",
    "is_stale",
    "refresh_analytics",
    "refresh_history",
    "signature",
]

#: materialised table (schema ``internal``) -> the view it is built from, and the query
#: that rebuilds it from that view in its physical sort order
#: (``sql/queries/history_<table>.sql``), in build order: trend_state reads the other two
HISTORY_TABLES: dict[str, tuple[str, str]] = {
    "tool_state": ("tool_state_live", "history_tool_state"),
    "review_state": ("review_state_live", "history_review_state"),
    "trend_state": ("trend_state_live", "history_trend_state"),
}


class Mode(StrEnum):
    """What a refresh has to do."""

    NONE = "none"
    INCREMENTAL = "incremental"
    FULL = "full"


@dataclass(frozen=True)
class _Counts:
    """Row counts of the core tables (the watermark's)."""

    captures: int
    tool_observations: int
    review_observations: int


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of what every derived row depends on besides the observations: the schema
    files, the vendor and category files, the vendor rules (vendor.py) and the captures'
    parser versions. A new one means a full rebuild."""
    versions = [r[0] for r in con.execute(query("history_parser_versions")).fetchall()]
    digest = hashlib.sha1()
    for path in [*schema_files(), Path(vendor.__file__)]:
        digest.update(path.read_bytes())
    text = f"|{files_digest()}|{categories.files_digest()}|{'|'.join(versions)}"
    digest.update(text.encode())
    return digest.hexdigest()


#: the old name of :func:`fingerprint`
signature = fingerprint


def _counts(con: duckdb.DuckDBPyConnection) -> _Counts:
    row = con.execute(query("history_counts")).fetchall()[0]
    return _Counts(*(int(v) for v in row))


def _mode(con: duckdb.DuckDBPyConnection, fp: str) -> Mode:
    """FULL without a watermark, on a new fingerprint or when the core tables' counts are
    not the ones the loaders logged; INCREMENTAL when the log names anything; else NONE."""
    rows = con.execute(query("history_watermark")).fetchall()
    if not rows or rows[0][0] != fp or _Counts(*rows[0][1:]) != _counts(con):
        return Mode.FULL
    return Mode.INCREMENTAL if has_pending(con) else Mode.NONE


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when captures or crawl outcomes were loaded (or mapping files edited, or the
    schema changed) since the last refresh."""
    return _mode(con, fingerprint(con)) is not Mode.NONE


def _transaction(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    """Run the named queries in order in one transaction."""
    with transaction(con):
        for name in statements:
            con.execute(query(name))


def refresh_history(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild the fill and every history table from scratch in one transaction, and
    empty the refresh log. Returns the row count of each history table."""
    _transaction(con, ["history_fill_full", *(q for _, q in HISTORY_TABLES.values()),
                       "history_clear_pending"])
    return {
        table: con.execute(query("count_rows").format(table=f"internal.{table}")).fetchall()[0][0]
        for table in HISTORY_TABLES
    }


def _set_watermark(con: duckdb.DuckDBPyConnection, fp: str) -> None:
    c = _counts(con)
    con.execute(query("history_set_watermark"),
                [fp, c.captures, c.tool_observations, c.review_observations])


def refresh_analytics(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> bool:
    """The loaders' hook: bring vendors, categories, the fill and histories up to date —
    only what the loaders logged since the last refresh, or everything (on a new
    fingerprint, a write that bypassed the loaders, or with `force`). Returns True when it
    refreshed."""
    fp = fingerprint(con)
    mode = Mode.FULL if force else _mode(con, fp)
    if mode is Mode.NONE:
        return False
    started = time.perf_counter()
    if mode is Mode.FULL:
        vendor.refresh_vendors(con)
        categories.refresh_categories(con)
        refresh_history(con)
    else:
        vendor.refresh_vendors(con, pending_only=True)
        refresh_pending(con)
    _set_watermark(con, fp)
    con.execute(query("history_record_refresh"),
                [datetime.now(UTC), fp, time.perf_counter() - started, str(mode)])
    return True

