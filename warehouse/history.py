"""Materialising the derived tables: vendors, categories, SCD2 histories and trends.

The histories are defined as views in ``sql/040_history.sql`` (``internal.tool_state_live``,
…); :func:`refresh_history` copies each into its table (``internal.tool_state``, …) so the
analyst views stay fast on large warehouses. :func:`refresh_analytics` is the one hook
loaders call after a load: it re-resolves vendors, reloads the category mapping and
rebuilds the histories, and does nothing when the observations, the crawl outcomes that
end a page's life, the mapping files and the schema have not changed since the last
refresh.

A refresh is a pure function of the observation set, so the order in which captures were
loaded never shows in the result.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import duckdb

from warehouse import categories, vendor
from warehouse.db import schema_files
from warehouse.queries import query
from warehouse.vendor_registry import files_digest

__all__ = ["HISTORY_TABLES", "signature", "is_stale", "refresh_history", "refresh_analytics"]

#: materialised table (schema ``internal``) -> the view it is built from, and the query
#: that rebuilds it from that view in its physical sort order
#: (``sql/queries/history_<table>.sql``), in build order: trend_state reads the other two
HISTORY_TABLES: dict[str, tuple[str, str]] = {
    "tool_state": ("tool_state_live", "history_tool_state"),
    "review_state": ("review_state_live", "history_review_state"),
    "trend_state": ("trend_state_live", "history_trend_state"),
}


def signature(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of everything the derived tables are built from: the captures (ids, parse
    versions and statuses), the observation counts, the gone/failed crawl outcomes, the
    vendor and category files, and the schema files (a new rule means a refresh)."""
    row = con.execute(query("history_signature")).fetchall()[0]
    schema = hashlib.sha1(b"".join(p.read_bytes() for p in schema_files())).hexdigest()
    text = "|".join(str(v) for v in row)
    text += f"|{files_digest()}|{categories.files_digest()}|{schema}"
    return hashlib.sha1(text.encode()).hexdigest()


def _last_signature(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute(query("history_last_signature")).fetchall()
    return rows[0][0] if rows else None


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when observations were loaded (or vendor files edited) since the last refresh."""
    return _last_signature(con) != signature(con)


def refresh_history(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild every history table from its ``*_live`` view in one transaction.
    Returns the row count of each table."""
    counts: dict[str, int] = {}
    con.begin()
    try:
        for table, (_view, rebuild) in HISTORY_TABLES.items():
            con.execute(query(rebuild))
            counts[table] = con.execute(
                query("count_rows").format(table=f"internal.{table}")
            ).fetchall()[0][0]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return counts


def refresh_analytics(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> bool:
    """The loaders' hook: refresh vendors, categories and histories when stale (or always
    with `force`). Returns True when it refreshed."""
    sig = signature(con)
    if not force and _last_signature(con) == sig:
        return False
    started = time.perf_counter()
    vendor.refresh_vendors(con)
    categories.refresh_categories(con)
    refresh_history(con)
    con.execute(
        query("history_record_refresh"), [datetime.now(UTC), sig, time.perf_counter() - started]
    )
    return True
