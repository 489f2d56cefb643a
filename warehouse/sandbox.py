"""The analysts' SQL sandbox: what a read-only session may run, and what it may read.

Two locks, each one enough to stop a write:

1. :func:`check_read_only`, before anything runs: every statement must be a read (a
   SELECT, incl. FROM-first, WITH, DESCRIBE, SHOW, SUMMARIZE, or an EXPLAIN of one), and
   its syntax tree may hold no writing node anywhere. DuckDB types
   ``WITH x AS (DELETE … RETURNING *) SELECT …`` and ``WITH x AS (COPY … TO …) SELECT …``
   as SELECTs, so the statement type alone would let them through.
2. :func:`lock_down`, on the session: ``enable_external_access = false`` with
   ``allowed_directories`` set to the data directory, so files elsewhere (``/etc/passwd``
   through read_csv, read_text, read_blob, glob), ``../`` out of the data directory and
   every URL are refused; no extension is installed or loaded automatically (a
   ``read_csv('http://…')`` neither downloads httpfs nor creates ``~/.duckdb``); a memory
   limit; and ``lock_configuration = true``, so no SET or RESET can undo any of it.

What an analyst can still read: the warehouse snapshot (every view and table) and, by
absolute path, the files under the data directory (e.g. Parquet exports written there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from warehouse.queries import query

__all__ = ["MEMORY_LIMIT", "SESSION_CONFIG", "Refused", "check_read_only", "lock_down"]

#: The most memory one analyst session may use (DuckDB spills to its temp directory,
#: inside the data directory, beyond it; a query that cannot spill fails).
MEMORY_LIMIT = "2GB"

#: Connection options of every sandboxed session (see warehouse.snapshot.open_readonly).
SESSION_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_persistent_secrets": False,
}

_READ_TYPES = {duckdb.StatementType.SELECT}
_EXPLAIN = re.compile(r"^\s*explain(?:\s+analy[sz]e)?\s+", re.IGNORECASE)
#: Syntax-tree query nodes that only read; any other (INSERT/UPDATE/DELETE/COPY_QUERY_NODE,
#: or a node type a later DuckDB adds) is refused.
_READ_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"})
_READS = "SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN"


class Refused(Exception):
    """A statement that is not a read; str() is the one-line reason."""


def _type_name(stype: Any) -> str:
    return str(getattr(stype, "name", stype)).replace("_", " ")


def _parser() -> duckdb.DuckDBPyConnection:
    """A throwaway in-memory connection that only parses: no files, no extensions."""
    con = duckdb.connect(":memory:", config=dict(SESSION_CONFIG))
    con.execute(query("sandbox_lock"))
    return con


def _write_nodes(tree: object) -> set[str]:
    """Every query-node type in a json_serialize_sql tree that is not a read."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind = item.get("type")
            if isinstance(kind, str) and kind.endswith("_NODE") and kind not in _READ_NODES:
                found.add(kind)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _hidden_write(con: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """Why a statement typed SELECT is not a read (a write inside it), or None."""
    row = con.execute(query("sandbox_syntax_tree"), [sql]).fetchone()
    tree = json.loads(row[0]) if row and row[0] else {"error": True}
    if tree.get("error"):
        return f"cannot be checked to be a read ({tree.get('error_message', 'no syntax tree')})"
    writes = _write_nodes(tree.get("statements", []))
    if writes:
        kinds = ", ".join(sorted(w.removesuffix("_NODE").removesuffix("_QUERY") for w in writes))
        return f"writes inside a query ({kinds} in a WITH clause or subquery)"
    return None


def _reads_only(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Is every statement of `sql` a read, with no write hidden inside?"""
    try:
        statements = con.extract_statements(sql)
    except (duckdb.Error, ValueError):
        return False
    return bool(statements) and all(
        s.type in _READ_TYPES and _hidden_write(con, s.query) is None for s in statements
    )


def _check_one(con: duckdb.DuckDBPyConnection, i: int, stmt: Any) -> None:
    kind = stmt.type
    if kind == duckdb.StatementType.EXPLAIN:
        if not _reads_only(con, _EXPLAIN.sub("", stmt.query, count=1)):
            raise Refused(f"statement {i} is an EXPLAIN of a write; only reads are allowed")
        return
    if kind not in _READ_TYPES:
        raise Refused(
            f"statement {i} is {_type_name(kind)}; `verdicts sql` runs reads only ({_READS})"
        )
    why = _hidden_write(con, stmt.query)
    if why is not None:
        raise Refused(f"statement {i} {why}; `verdicts sql` runs reads only")


def check_read_only(sql: str) -> list[Any]:
    """The statements of `sql` if every one is a read; else raise :class:`Refused`."""
    con = _parser()
    try:
        try:
            statements = con.extract_statements(sql)
        except (duckdb.Error, ValueError) as exc:
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            raise Refused(f"cannot parse the SQL: {first}") from None
        if not statements:
            raise Refused("no SQL statement given")
        for i, stmt in enumerate(statements, 1):
            _check_one(con, i, stmt)
        return statements
    finally:
        con.close()


def allowed(directories: Iterable[str | Path]) -> list[str]:
    """Each directory as DuckDB's allowed_directories wants it: absolute, ending in '/',
    both as given and with symlinks resolved (DuckDB compares the path text)."""
    out: list[str] = []
    for d in directories:
        for p in (Path(d).absolute(), Path(d).resolve()):
            text = str(p).rstrip("/") + "/"
            if text not in out:
                out.append(text)
    return out


def lock_down(con: duckdb.DuckDBPyConnection, directories: Sequence[str | Path]) -> None:
    """Sandbox `con` (opened with :data:`SESSION_CONFIG`): files only under
    `directories`, no external access otherwise, configuration locked.

    DuckDB shares one database instance between the connections a process opens to the
    same file, and these settings belong to the instance: a second connection finds it
    locked already, and keeps the directories the first one allowed.
    """
    row = con.execute(query("sandbox_state")).fetchone()
    if row is not None and row[0]:
        if row[1]:
            raise RuntimeError("a locked DuckDB session still has external access")
        return
    con.execute(query("sandbox_allow"), [allowed(directories)])
    con.execute(query("sandbox_lock"))
