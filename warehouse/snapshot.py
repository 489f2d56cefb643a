"""Read while write: a read-only snapshot of the warehouse for analysts.

DuckDB locks a database file per process: while the nightly crawl holds
``verdicts.duckdb`` for writing, no other process can open it, not even read-only, and an
analyst holding it open (read-only) would make the crawl fail. So analysts never open the
main file. The writer, after a load, calls :func:`publish_snapshot`: it refreshes the
derived tables if stale, CHECKPOINTs, copies the file to a temporary name beside it and
atomically renames the copy to ``verdicts.snapshot.duckdb`` (``os.replace``). Readers
open that file read-only with :func:`open_readonly`.

Trade-off (staleness): readers see the warehouse as of the last publish (the crawl and
``verdicts import`` publish at the end of each run), not the rows being written now. A
reader that keeps a connection open keeps reading the snapshot it opened (the replaced
file lives on until its last reader closes it); reopen to see newer data. In one Python
process, DuckDB reuses an open database for the same path, so close every connection
before reopening. The snapshot costs one more copy of the file on disk.

Without a snapshot, :func:`open_readonly` falls back to the main file, read-only: that
works only while no writer holds it, and blocks writers while it is open.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.queries import query

__all__ = ["DB_FILENAME", "snapshot_path", "publish_snapshot", "open_readonly", "resolve_db"]

DB_FILENAME = "verdicts.duckdb"
SNAPSHOT_SUFFIX = ".snapshot.duckdb"


def snapshot_path(db_path: str | os.PathLike[str]) -> Path:
    """The snapshot beside a warehouse file: ``verdicts.duckdb`` → ``verdicts.snapshot.duckdb``."""
    p = Path(db_path)
    return p.with_name(p.name.removesuffix(".duckdb") + SNAPSHOT_SUFFIX)


def resolve_db(path: str | os.PathLike[str]) -> Path:
    """The main warehouse file for a data directory or a file path (a snapshot path maps
    back to its main file)."""
    p = Path(path)
    if p.is_dir():
        return p / DB_FILENAME
    if p.name.endswith(SNAPSHOT_SUFFIX):
        return p.with_name(p.name.removesuffix(SNAPSHOT_SUFFIX) + ".duckdb")
    return p


def publish_snapshot(
    db_path: str | os.PathLike[str],
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    refresh: bool = True,
) -> Path:
    """Writer side: publish a consistent read-only copy of the warehouse; return its path.

    `con` is the writer's open connection to `db_path` (else one is opened and closed
    here). With `refresh`, stale vendors/histories are rebuilt first. No other thread may
    write through `con` while this runs. Readers of the previous snapshot are unaffected.
    """
    from warehouse.db import connect
    from warehouse.history import refresh_analytics

    db = resolve_db(db_path)
    target = snapshot_path(db)
    own = con is None
    conn = connect(db) if con is None else con
    try:
        if refresh:
            refresh_analytics(conn)
        conn.execute(query("checkpoint"))
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(db, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            check = duckdb.connect(str(tmp), read_only=True)
            try:
                check.execute(query("count_rows").format(table="capture")).fetchall()
            finally:
                check.close()
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        if own:
            conn.close()
    return target


def open_readonly(path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Reader side: open the latest snapshot read-only (session time zone UTC).

    `path` is a data directory, the warehouse file or a snapshot file. Falls back to the
    main file, read-only, when no snapshot has been published.
    """
    db = resolve_db(path)
    snap = snapshot_path(db)
    chosen = snap if snap.exists() else db
    if not chosen.exists():
        raise FileNotFoundError(f"no warehouse at {db} (and no snapshot {snap.name})")
    con = duckdb.connect(str(chosen), read_only=True)
    try:
        con.execute(query("session_utc"))
    except BaseException:
        con.close()
        raise
    return con
