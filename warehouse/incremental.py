"""Refreshing the derived tables for what changed since the last refresh.

The loaders log what they write, in the same transaction (``sql/012_refresh_log.sql``):
:func:`warehouse.load.load_captures` the URLs, tool slugs and review texts (tool key,
quote) of the captures it inserts or reparses (before and after), and
:func:`warehouse.crawl_state.record_fetches` the pages found gone or failing; each URL
and slug with the earliest moment (observed_at) of what changed, its ``since``.
:func:`refresh_pending` then recomputes, in one transaction and in dependency order:

1. the compact-score fill of every review with a logged text (a fill crosses pages: the
   same review seen scored elsewhere), and logs the pages whose filled rows changed;
2. ``tool_state`` and ``review_state`` for the logged pages (a series is keyed by its page,
   so every series with a new, changed or deleted observation is rebuilt whole), logging
   the tools of the rows removed and written, with their pages' ``since``;
3. ``trend_state`` for the logged tools from each tool's ``since`` on: the states before it
   stay, and only each series' state in force at that moment and the states and page
   lives after it are read, so a night's refresh does not grow with the tools' history;

then empties the log. Each step is the same table macro as the full rebuild, scoped by
the log (``internal.tool_state_of(true)`` …), so both give the same rows
(tests/warehouse/test_incremental.py).
"""

from __future__ import annotations

import duckdb

from warehouse._tx import transaction
from warehouse.queries import query

__all__ = ["INCREMENTAL_STEPS", "clear_pending", "has_pending", "refresh_pending"]

#: the statements of an incremental refresh (sql/queries/<name>.sql), in order
INCREMENTAL_STEPS = (
    "history_fill_incremental",
    "history_tool_state_incremental",
    "history_review_state_incremental",
    "history_trend_state_incremental",
    "history_clear_pending",
)


def has_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the refresh log names anything."""
    return bool(con.execute(query("history_pending")).fetchall()[0][0])


def clear_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Empty the refresh log (after a full rebuild)."""
    con.execute(query("history_clear_pending"))


def refresh_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the fill, histories and trends of what the log names, in one transaction
    (vendors are refreshed before, by ``vendor.refresh_vendors(pending_only=True)``)."""
    with transaction(con):
        for name in INCREMENTAL_STEPS:
            con.execute(query(name))
