"""One transaction around a block of warehouse writes, and the Arrow tables they read.

Every writer in the warehouse (load, crawl state, vendors, histories, schema) commits a
step as one transaction: all of it or none of it, whatever interrupts it. The ``.sql``
statements of a step read their batch from Arrow tables registered on the connection by
name; those are unregistered when the step ends, however it ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

__all__ = ["Registered", "registered", "transaction"]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit at the end of the block, roll back if it raises. Not nestable: DuckDB
    refuses a BEGIN inside a transaction, and aborts the open one."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


@dataclass
class Registered:
    """Arrow tables registered on a connection for the length of one step."""

    con: duckdb.DuckDBPyConnection
    names: list[str] = field(default_factory=list)

    def add(self, name: str, table: pa.Table) -> None:
        """Register `table` as `name` (the name a query reads it by)."""
        self.con.register(name, table)
        self.names.append(name)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection,
               tables: Mapping[str, pa.Table] | None = None) -> Iterator[Registered]:
    """`tables` (and any added in the block) registered by name; unregistered after the
    block, whether it ends well or not."""
    reg = Registered(con)
    try:
        for name, table in (tables or {}).items():
            reg.add(name, table)
        yield reg
    finally:
        for name in reg.names:
            con.unregister(name)
