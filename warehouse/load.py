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

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from warehouse._tx import registered, transaction
from warehouse.queries import query
from warehouse.records import CaptureRecord, LoadSummary, PageGone, capture_id
from warehouse.rows import load_tables

__all__ = ["CaptureRecord", "LoadSummary", "PageGone", "capture_id", "existing_captures",
           "load_captures", "load_page_gone"]

#: The names the load_*.sql queries read the batch's Arrow tables by.
_IDS = "_va_load_ids"
_CAPTURES = "_va_load_capture"
_TOOLS = "_va_load_tool_obs"
_REVIEWS = "_va_load_review_obs"
_COMPARISONS = "_va_load_comparison"
#: the statements that insert a batch's rows, in order
_INSERTS = (
    "load_insert_tools",
    "load_insert_comparisons",
    "load_insert_tool_observations",
    "load_insert_review_observations",
)


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Run the statement `name` (a DELETE) and return the rows it changed."""
    row = con.execute(query(name)).fetchone()
    return int(row[0]) if row else 0


def _insert_new(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Insert the registered captures not in the warehouse yet; return their ids."""
    return {row[0] for row in con.execute(query("load_insert_captures")).fetchall()}


def _replace(con: duckdb.DuckDBPyConnection) -> tuple[set[str], int, int]:
    """A reparse: log the registered captures' current rows for the next refresh, rewrite
    their parse columns, drop their observations and insert the captures that are new.
    Returns (new ids, tool and review observations deleted)."""
    con.execute(query("load_log_old"))
    con.execute(query("load_reparse_captures"))
    tools = _count(con, "load_delete_tool_observations")
    reviews = _count(con, "load_delete_review_observations")
    return _insert_new(con), tools, reviews


def _only(table: pa.Table, ids: set[str], all_ids: set[str]) -> pa.Table:
    """The rows of `table` whose capture_id is in `ids` (`table` itself when `ids` are all
    of its captures: `all_ids`)."""
    if table.num_rows == 0 or ids == all_ids:
        return table
    keep = pc.is_in(table.column("capture_id"), value_set=pa.array(sorted(ids), pa.string()))
    return table.filter(keep)


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
    All inserts are ``INSERT … SELECT`` from registered Arrow tables; an id already loaded
    is found by the capture table's primary key, never by scanning it. What was written
    is logged (``sql/012_refresh_log.sql``) for the next incremental refresh.
    """
    unique: dict[str, CaptureRecord] = {}
    for rec in records:
        unique.setdefault(rec.capture_id, rec)
    if not unique:
        return LoadSummary()

    with registered(con) as reg, transaction(con):
        reg.add(_IDS, pa.table({"capture_id": pa.array(list(unique), pa.string())}))
        tables = load_tables(unique)
        reg.add(_CAPTURES, tables.capture)
        if replace:
            new, gone_tools, gone_reviews = _replace(con)
            targets = set(unique)
        else:
            new = targets = _insert_new(con)
            gone_tools = gone_reviews = 0
        everyone = set(unique)
        tools = _only(tables.tool_observation, targets, everyone)
        reviews = _only(tables.review_observation, targets, everyone)
        reg.add(_TOOLS, tools)
        reg.add(_REVIEWS, reviews)
        reg.add(_COMPARISONS, tables.comparison)
        for name in _INSERTS:
            con.execute(query(name))
        if targets and con.execute(query("load_move_watermark"), [
                len(new), tools.num_rows - gone_tools, reviews.num_rows - gone_reviews,
        ]).fetchall():  # no watermark (never refreshed): the next refresh is a full one
            con.execute(query("load_log_new"))

    return LoadSummary(
        captures_new=len(new),
        captures_existing=len(unique) - len(new),
        tools=tools.num_rows,
        reviews=reviews.num_rows,
        failures=sum(1 for cid in targets if unique[cid].error is not None),
    )


def existing_captures(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str | None]:
    """capture_id → parse_error, for those of `ids` already in the warehouse (one query)."""
    if not ids:
        return {}
    rows = con.execute(query("load_existing_captures"), [ids]).fetchall()
    return {cid: err for cid, err in rows}


def load_page_gone(con: duckdb.DuckDBPyConnection, rows: Sequence[PageGone]) -> int:
    """Load page-gone observations (a reparse's, from the crawl WARCs) in one transaction,
    logging their pages for the next refresh; idempotent. Returns the rows given."""
    if not rows:
        return 0
    table = pa.table({
        "url": pa.array([r.url for r in rows], pa.string()),
        "run_id": pa.array([r.run_id for r in rows], pa.string()),
        "observed_at": pa.array([r.observed_at for r in rows], pa.timestamp("us", tz="UTC")),
        "outcome": pa.array([str(r.outcome) for r in rows], pa.string()),
    })
    with registered(con) as reg, transaction(con):
        reg.add("_va_page_gone_rows", table)  # the name page_gone_insert.sql reads
        con.execute(query("page_gone_insert"))
    return len(rows)
