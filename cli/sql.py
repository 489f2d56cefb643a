"""`verdicts sql`: run read-only SQL against the warehouse snapshot and print the result.

    verdicts sql "SELECT vendor, ship_rate FROM ship_rate_by_vendor WHERE granularity='week'"
    verdicts sql --format line "FROM latest_tool_verdicts WHERE tool_slug = 'cursor'"
    verdicts sql --format csv "FROM latest_tool_verdicts" > latest.csv
    echo "FROM verdict_changes" | verdicts sql --format json -

What a query can read: the published snapshot of the warehouse (every view and table:
`verdicts sql "SHOW TABLES"`) and, by absolute path, files under the data directory,
e.g. Parquet exported there (`verdicts export DATA/exports`, then
read_parquet('/abs/path/DATA/exports/tool_history/**/*.parquet')). Nothing else: other
files (read_csv, read_text, read_blob, glob), `../` out of the data directory, URLs and
extensions are refused; the session's settings are locked (no SET or RESET), and it may
use at most 2GB of memory.

Only reads run: every statement must be a SELECT (incl. FROM-first, WITH, DESCRIBE,
SHOW, SUMMARIZE) or an EXPLAIN of one, with no write inside it (`WITH x AS (DELETE …
RETURNING *) SELECT …` is a write); anything else (INSERT, UPDATE, DELETE, CREATE, DROP,
ALTER, ATTACH, COPY, EXPORT, INSTALL/LOAD, SET, PRAGMA, CALL, transactions, …) is
refused before anything runs. Several statements may be given (separated by ';'): each
result is printed in turn.

Formats: `table` (default; for people: fits the terminal width ($COLUMNS), long cells
cut with "…", numbers right-aligned and rounded), `line` (one `column = value` per line
and a blank line between rows: for wide rows), `csv` (header row, RFC 4180) and `json`
(JSON Lines: one object per row, ISO 8601 times); csv and json keep full precision.
Exit status: 0 ok, 1 the query failed, 2 refused (by the checker or the sandbox) or no
snapshot to read (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from cli._options import Subparsers, add_command, add_data_dir, fail, one_line, open_snapshot
from cli._render import FORMATS, emit
from flows import settings
from warehouse.sandbox import Refused, check_read_only

__all__ = ["Refused", "add_parser", "check_read_only", "run"]


def add_parser(subparsers: Subparsers) -> None:
    """Register `verdicts sql`."""
    p = add_command(
        subparsers,
        "sql",
        help="run read-only SQL against the warehouse",
        description=__doc__.split("\n", 2)[2] if __doc__ else None,
    )
    p.add_argument("query", nargs="?", default="-", help="SQL to run; '-' or omitted: stdin")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default), line (one column per line), csv, or json (JSON Lines)",
    )
    add_data_dir(p)
    p.set_defaults(func=run)


def _refusal(i: int, exc: duckdb.Error, data_dir: Path) -> str:
    """The one-line message for a statement the sandbox stopped while it ran."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    why = " ".join(lines[0].split()).removeprefix("Permission Error: ")
    return (
        f"refused: statement {i} reaches outside the warehouse: {why}; "
        f"`verdicts sql` reads the warehouse and files under {data_dir.absolute()} only"
    )


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
        for i, stmt in enumerate(statements, 1):
            try:
                cur = con.execute(stmt.query)
                columns = [d[0] for d in cur.description or []]
                rows = cur.fetchall() if columns else []
            except duckdb.PermissionException as exc:
                fail("sql", _refusal(i, exc, settings.data_dir(args.data_dir)))
                return 2
            except duckdb.Error as exc:
                fail("sql", f"statement {i} failed: {one_line(exc)}")
                return 1
            if args.format in ("csv", "line") and i > 1:
                sys.stdout.write("\n")
            emit(args.format, columns, rows, sys.stdout)
    finally:
        con.close()
    return 0
