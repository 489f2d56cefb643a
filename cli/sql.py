"""`verdicts sql`: run read-only SQL against the warehouse snapshot and print the result.

    verdicts sql "SELECT vendor, ship_rate FROM ship_rate_by_vendor WHERE granularity='week'"
    verdicts sql --format csv "FROM latest_tool_verdicts" > latest.csv
    echo "FROM verdict_changes" | verdicts sql --format json -

Only reads run: every statement must be a SELECT (incl. FROM-first, WITH, DESCRIBE, SHOW,
SUMMARIZE) or an EXPLAIN of one; anything else (INSERT, UPDATE, DELETE, CREATE, DROP,
ALTER, ATTACH, COPY, EXPORT, INSTALL/LOAD, SET, PRAGMA, CALL, transactions, …) is refused
before anything runs, with exit status 2. The database is also opened read-only (the
published snapshot when there is one, see warehouse.snapshot), so a write could not
succeed anyway. Several statements may be given (separated by ';'): each result is
printed in turn.

Formats: `table` (default; aligned, for people), `csv` (header row, RFC 4180), `json`
(JSON Lines: one object per row, ISO 8601 times; several statements simply continue the
stream). Exit status: 0 ok, 1 the query failed (message on stderr), 2 refused or unusable.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import re
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import duckdb

from cli._options import Subparsers, add_command, add_data_dir, fail, one_line, open_snapshot

READ_TYPES = {duckdb.StatementType.SELECT}
_EXPLAIN = re.compile(r"^\s*explain(?:\s+analy[sz]e)?\s+", re.IGNORECASE)


class Refused(Exception):
    """A statement that is not a read; str() is the one-line reason."""


def add_parser(subparsers: Subparsers) -> None:
    """Register `verdicts sql`."""
    p = add_command(
        subparsers, "sql", help="run read-only SQL against the warehouse",
        description=__doc__.split("\n", 2)[2] if __doc__ else None,
    )
    p.add_argument("query", nargs="?", default="-", help="SQL to run; '-' or omitted: stdin")
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default), csv, or json (JSON Lines, one object per row)",
    )
    add_data_dir(p)
    p.set_defaults(func=run)


def _type_name(stype: Any) -> str:
    return str(getattr(stype, "name", stype)).replace("_", " ")


def check_read_only(sql: str) -> list[Any]:
    """The statements of `sql` if every one is a read; else raise :class:`Refused`."""
    try:
        statements = duckdb.extract_statements(sql)
    except (duckdb.Error, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Refused(f"cannot parse the SQL: {first}") from None
    if not statements:
        raise Refused("no SQL statement given")
    for i, stmt in enumerate(statements, 1):
        kind = stmt.type
        if kind == duckdb.StatementType.EXPLAIN:
            inner = _EXPLAIN.sub("", stmt.query, count=1)
            try:
                inner_types = [s.type for s in duckdb.extract_statements(inner)]
            except (duckdb.Error, ValueError):
                inner_types = []
            if inner_types and all(t in READ_TYPES for t in inner_types):
                continue
            raise Refused(f"statement {i} is an EXPLAIN of a write; only reads are allowed")
        if kind not in READ_TYPES:
            raise Refused(
                f"statement {i} is {_type_name(kind)}; `verdicts sql` runs reads only "
                "(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)"
            )
    return statements


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("NULL" if v is None else _cell(v) for v in row))
    console = Console(file=out, width=None if out.isatty() else 200)
    console.print(table)
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def emit(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], out: Any) -> None:
    """Write one result set in `fmt` to `out`."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
    elif fmt == "json":
        for row in rows:
            out.write(
                json.dumps(_jsonable(dict(zip(columns, row, strict=True))), ensure_ascii=False)
                + "\n"
            )
    else:
        _print_table(columns, rows, out)


def run(args: argparse.Namespace) -> int:
    """Run `verdicts sql`."""
    sql = sys.stdin.read() if args.query in (None, "-") else args.query
    try:
        statements = check_read_only(sql)
    except Refused as exc:
        fail("sql", f"refused: {exc}")
        return 2
    con = open_snapshot("sql", args.data_dir)
    if con is None:
        return 2
    try:
        for i, stmt in enumerate(statements):
            try:
                cur = con.execute(stmt.query)
                columns = [d[0] for d in cur.description or []]
                rows = cur.fetchall() if columns else []
            except duckdb.Error as exc:
                fail("sql", f"statement {i + 1} failed: {one_line(exc)}")
                return 1
            if args.format == "csv" and i > 0:
                sys.stdout.write("\n")
            emit(args.format, columns, rows, sys.stdout)
    finally:
        con.close()
    return 0
