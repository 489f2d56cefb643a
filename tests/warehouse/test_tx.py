"""warehouse._tx: a step commits whole or not at all, and its Arrow tables never outlive it."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from warehouse._tx import registered, transaction


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    return con


def _rows(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [x for (x,) in con.execute("SELECT x FROM t ORDER BY x").fetchall()]


def test_a_step_commits_whole_or_rolls_back_whole() -> None:
    con = _con()
    with transaction(con):
        con.execute("INSERT INTO t VALUES (1), (2)")
    assert _rows(con) == [1, 2]
    with pytest.raises(RuntimeError), transaction(con):
        con.execute("INSERT INTO t VALUES (3)")
        raise RuntimeError("interrupted")
    assert _rows(con) == [1, 2]  # nothing of the failed step
    with transaction(con):  # and the connection is usable again
        con.execute("INSERT INTO t VALUES (4)")
    assert _rows(con) == [1, 2, 4]


def test_a_step_inside_an_open_transaction_is_refused() -> None:
    con = _con()
    con.begin()
    con.execute("INSERT INTO t VALUES (5)")
    with pytest.raises(duckdb.TransactionException), transaction(con):
        pass
    con.rollback()
    assert _rows(con) == []


def test_arrow_tables_are_unregistered_however_the_step_ends() -> None:
    con = _con()
    batch = pa.table({"x": pa.array([7, 8], pa.int32())})
    with registered(con, {"_va_batch": batch}) as reg, transaction(con):
        reg.add("_va_more", pa.table({"x": pa.array([9], pa.int32())}))
        con.execute("INSERT INTO t SELECT x FROM _va_batch UNION ALL SELECT x FROM _va_more")
    assert _rows(con) == [7, 8, 9]
    with pytest.raises(RuntimeError), registered(con, {"_va_batch": batch}), transaction(con):
        con.execute("INSERT INTO t SELECT x FROM _va_batch")
        raise RuntimeError("interrupted")
    assert _rows(con) == [7, 8, 9]
    for name in ("_va_batch", "_va_more"):
        with pytest.raises(duckdb.CatalogException):
            con.execute(f"SELECT * FROM {name}")
