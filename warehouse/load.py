"""Loading captures into the warehouse: bulk, in one transaction, idempotent.

A caller (the crawler, `verdicts import`, `verdicts reparse`) hands over
:class:`CaptureRecord` objects (:mod:`warehouse.records`). :func:`load_captures` turns a
whole batch into Arrow tables (:mod:`warehouse.rows`) and moves each into its table with
one ``INSERT … SELECT`` (``sql/queries/load_*.sql``) — never row by row — so loading
stays fast at any batch size.

The warehouse never imports ``parsers`` or ``flows``: it takes the parser's dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from warehouse.queries import query
from warehouse.records import CaptureRecord, LoadSummary, capture_id
from warehouse.rows import load_tables

__all__ = ["CaptureRecord", "LoadSummary", "capture_id", "existing_captures", "load_captures"]

#: The names the load_*.sql queries read the batch's Arrow tables by.
_IDS = "_va_load_ids"
_CAPTURES = "_va_load_capture"
_TOOLS = "_va_load_tool_obs"
_REVIEWS = "_va_load_review_obs"
_COMPARISONS = "_va_load_comparison"


@dataclass
class _Registered:
    """Arrow tables registered on a connection for the length of one load."""

    con: duckdb.DuckDBPyConnection
    names: list[str] = field(default_factory=list)

    def add(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)
        self.names.append(name)

    def drop(self) -> None:
        for name in self.names:
            self.con.unregister(name)
        self.names.clear()


def _write(con: duckdb.DuckDBPyConnection, *, new: bool, replaced: bool) -> None:
    """Run the load's statements over the registered tables (inside its transaction)."""
    if replaced:
        con.execute(query("load_reparse_captures"))
        con.execute(query("load_delete_observations"))
    if new:
        con.execute(query("load_insert_captures"))
    for name in (
        "load_insert_tools",
        "load_insert_comparisons",
        "load_insert_tool_observations",
        "load_insert_review_observations",
    ):
        con.execute(query(name))


def load_captures(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[CaptureRecord],
    *,
    replace: bool = False,
) -> LoadSummary:
    """Load a batch of captures and their parsed rows in one transaction.

    Idempotent: a capture whose id is already in the warehouse changes nothing (its
    record is counted in ``captures_existing``). With ``replace=True`` (reparse), the
    parse of existing captures is rewritten instead: their parse columns are updated and
    their tool/review observations replaced. Within a batch the first record of an id wins.
    All inserts are ``INSERT … SELECT`` from registered Arrow tables.
    """
    unique: dict[str, CaptureRecord] = {}
    for rec in records:
        unique.setdefault(rec.capture_id, rec)
    if not unique:
        return LoadSummary()

    reg = _Registered(con)
    con.begin()
    try:
        reg.add(_IDS, pa.table({"capture_id": pa.array(list(unique), pa.string())}))
        existing = {row[0] for row in con.execute(query("load_existing_ids")).fetchall()}
        targets = {cid: rec for cid, rec in unique.items() if replace or cid not in existing}
        tables = load_tables(targets)
        reg.add(_CAPTURES, tables.capture)
        reg.add(_TOOLS, tables.tool_observation)
        reg.add(_REVIEWS, tables.review_observation)
        reg.add(_COMPARISONS, tables.comparison)
        new = sum(1 for cid in targets if cid not in existing)
        _write(con, new=new > 0, replaced=len(targets) > new)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        reg.drop()

    return LoadSummary(
        captures_new=new,
        captures_existing=len(existing),
        tools=tables.tool_observation.num_rows,
        reviews=tables.review_observation.num_rows,
        failures=sum(1 for rec in targets.values() if rec.error is not None),
    )


def existing_captures(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str | None]:
    """capture_id → parse_error, for those of `ids` already in the warehouse (one query)."""
    if not ids:
        return {}
    rows = con.execute(query("load_existing_captures"), [ids]).fetchall()
    return {cid: err for cid, err in rows}
