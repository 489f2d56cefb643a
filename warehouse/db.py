"""Opening the DuckDB warehouse: UTC everywhere, schema applied on every writable open."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.queries import query

SQL_DIR = Path(__file__).resolve().parent / "sql"


def schema_files() -> list[Path]:
    """The warehouse's SQL files (`warehouse/sql/*.sql`) in the order they run."""
    return sorted(SQL_DIR.glob("*.sql"), key=lambda p: p.name)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Run every schema file in name order. Each statement is idempotent, so this is safe
    on a new file and on one that already has data."""
    for path in schema_files():
        con.execute(path.read_text(encoding="utf-8"))


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at `path` with the session time zone set to UTC.

    Writable opens create the parent directories and apply the schema (so callers never
    see a half-made database); read-only opens (analysts, snapshots) touch nothing and
    require the file to exist.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute(query("session_utc"))
        if not read_only:
            apply_schema(con)
    except BaseException:
        con.close()
        raise
    return con
