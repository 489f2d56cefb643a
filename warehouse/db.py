"""Opening the DuckDB warehouse: UTC everywhere, schema applied on every writable open.

Applying the schema also moves a warehouse made before the ``internal`` schema existed
(its tables copied into ``internal``, nothing lost), remakes without it a table that has
lost its PRIMARY KEY (rows and all) and writes every analyst view's
documentation as ``COMMENT ON VIEW``/``COLUMN`` (from the ``.sql`` comments, see
:mod:`warehouse.schema_docs`), so DuckDB tools show it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse._tx import transaction
from warehouse.queries import query
from warehouse.schema_docs import ViewDoc, parse_view_docs

__all__ = ["SQL_DIR", "apply_schema", "connect", "public_view_docs", "schema_files"]

SQL_DIR = Path(__file__).resolve().parent / "sql"

#: tables that lived in `main` before the `internal` schema: moved with their rows
_MOVED_TABLES = (
    "capture", "tool", "comparison", "tool_observation", "review_observation",
    "crawl_run", "crawl_fetch", "vendor", "tool_vendor",
)
#: tables whose PRIMARY KEY was dropped (their writer keeps the key unique): a warehouse
#: made before gets them anew, rows and all (DuckDB cannot drop a key in place)
_UNKEYED_TABLES = ("crawl_fetch", "tool_observation", "review_observation")
#: derived tables of that time: dropped (the next refresh rebuilds what replaced them)
_DERIVED_TABLES = (
    "tool_state", "review_state", "tool_asof", "review_asof", "analytics_refresh",
)


def schema_files() -> list[Path]:
    """The warehouse's SQL files (`warehouse/sql/*.sql`) in the order they run."""
    return sorted(SQL_DIR.glob("*.sql"), key=lambda p: p.name)


def public_view_docs() -> dict[str, ViewDoc]:
    """The documentation of every analyst view (default schema), by view name."""
    return {n: d for n, d in parse_view_docs(schema_files()).items() if d.public}


def _literal(text: str) -> str:
    """`text` as an SQL string literal (COMMENT ON takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _move_legacy_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Move the tables of a warehouse made before the `internal` schema into it; True
    when there were any."""
    legacy = {row[0] for row in con.execute(query("schema_legacy_tables")).fetchall()}
    for table in _MOVED_TABLES:
        if table in legacy:
            con.execute(query("schema_move_table").format(table=table, source=f"main.{table}"))
    for table in _DERIVED_TABLES:
        if table in legacy:
            con.execute(query("schema_drop_table").format(table=table))
    return bool(legacy & {*_MOVED_TABLES, *_DERIVED_TABLES})


def _set_keyed_aside(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rename the tables of _UNKEYED_TABLES that still have their PRIMARY KEY aside (the
    schema files then create them without it); return their names."""
    keyed = {row[0] for row in con.execute(query("schema_keyed_tables")).fetchall()}
    unkeyed = [table for table in _UNKEYED_TABLES if table in keyed]
    for table in unkeyed:
        con.execute(query("schema_unkey_table").format(table=table))
    return unkeyed


def _comment_views(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every analyst view and its documented columns."""
    for name, doc in public_view_docs().items():
        comment = _literal(doc.description)
        con.execute(query("schema_comment_view").format(view=name, comment=comment))
        for column, text in doc.columns.items():
            con.execute(
                query("schema_comment_column").format(
                    view=name, column=column, comment=_literal(text)
                )
            )


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Run every schema file in name order, move a pre-`internal` warehouse's tables and
    comment the analyst views, in one transaction. Each statement is idempotent, so this
    is safe on a new file and on one that already has data."""
    with transaction(con):
        unkeyed = _set_keyed_aside(con)
        for path in schema_files():
            con.execute(path.read_text(encoding="utf-8"))
        for table in unkeyed:
            con.execute(query("schema_move_table").format(
                table=table, source=f"internal.{table}_keyed"))
        # again: the files' one-time fills read moved or refilled tables
        if _move_legacy_tables(con) or unkeyed:
            for path in schema_files():
                con.execute(path.read_text(encoding="utf-8"))
        _comment_views(con)


#: The storage format a new warehouse file is written in (and so its snapshot): readable by
#: DuckDB 1.5 and later (the DuckDB CLI 1.5.6 included), not only by the DuckDB 2 that
#: writes it. tests/warehouse/test_storage_version.py opens a snapshot with that CLI.
STORAGE_VERSION = "v1.5.0"


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at `path` with the session time zone set to UTC, resolving
    unqualified names in `main`, then `internal` (the project's own code; analysts open
    the snapshot with :func:`warehouse.snapshot.open_readonly`, which sees `main` only).

    Writable opens create the parent directories and apply the schema (so callers never
    see a half-made database); read-only opens (analysts, snapshots) touch nothing and
    require the file to exist.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = (
        {} if read_only else {"storage_compatibility_version": STORAGE_VERSION})
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    try:
        if not read_only:
            apply_schema(con)  # first: the session's search path names its schema
        con.execute(query("session_utc"))
        if con.execute(query("schema_has_internal")).fetchall()[0][0]:
            con.execute(query("session_search_path"))
    except BaseException:
        con.close()
        raise
    return con
