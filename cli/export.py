"""`verdicts export`: the analyst views as Parquet (+ manifest), or the archive as a WACZ."""

from __future__ import annotations

import argparse
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import NoReturn

import duckdb

from archive import DateRange, NothingToExport, WaczExport, export_wacz
from cli._options import (
    Subparsers,
    add_command,
    add_data_dir,
    fail,
    one_line,
    open_snapshot,
    parse_time,
)
from flows import settings
from warehouse.export import EXPORTS, export_parquet

DESCRIPTION = """\
--format parquet (default): write the warehouse's analyst views as Parquet files under
DIR, one directory per view. Views with a time column are partitioned by UTC month, hive
style (DIR/tool_history/month=2025-03/data_0.parquet); the others are one file.
DIR/README.md and DIR/manifest.json describe what was written (rows, columns, partitions,
and each view's documentation). An earlier export of the same view in DIR is replaced.
Reads the published snapshot (see `verdicts sql`), so it never blocks a crawl.

--format wacz: package the raw archive (DATA_DIR/archive/*.warc.gz) as one WACZ 1.1 file
FILE.wacz, to open in ReplayWeb.page (https://replayweb.page) or pywb
(`wb-manager add --unpack-wacz COLL FILE.wacz`). It holds the WARC files as they are (with
--from/--to: new WARC files holding just the records dated in the range, each exchange's
request, response, revisit and metadata records together, gzip members copied byte for
byte), a CDXJ index, pages/pages.jsonl (one line per comparison page capture: url, ts,
title) and datapackage.json (every file's sha256 and size). Damaged or torn records and
archive/quarantine/ are left out, each with a line on stderr. FILE is written to a
temporary file beside it and renamed into place. Reads only the WARCs: never blocks a crawl.
"""

EPILOG = """\
DATE is YYYY-MM-DD (UTC; --to includes that whole day) or an ISO 8601 time
(2025-06-02T03:00:00Z; no offset means UTC; --to includes that instant). Examples:
  verdicts export data/exports
  verdicts export --format wacz verdicts.wacz
  verdicts export --format wacz june.wacz --from 2025-06-01 --to 2025-06-30
"""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _bound(value: str, *, end: bool) -> datetime:
    """A --from/--to DATE as an aware UTC instant; --to as the exclusive end of the range."""
    if _DAY.match(value.strip()):
        try:
            day = parse_time(value.strip() + "T00:00:00Z")
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"not a date: {value!r} (YYYY-MM-DD)") from None
        return day + timedelta(days=1) if end else day
    try:
        when = parse_time(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"not a date: {value!r} (YYYY-MM-DD or an ISO 8601 time)") from None
    return when + timedelta(microseconds=1) if end else when


def _start(value: str) -> datetime:
    return _bound(value, end=False)


def _end(value: str) -> datetime:
    return _bound(value, end=True)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts export`."""
    p = add_command(
        subparsers, "export",
        help="write the analyst views as Parquet, or package the archive as a WACZ file",
        description=DESCRIPTION, epilog=EPILOG,
    )
    p.add_argument("output", metavar="DIR|FILE.wacz",
                   help="parquet: the output directory; wacz: the .wacz file to write")
    p.add_argument("--format", choices=("parquet", "wacz"), default="parquet",
                   help="parquet (default): the analyst views; wacz: the WARC archive")
    p.add_argument(
        "--view",
        action="append",
        choices=sorted(EXPORTS),
        dest="views",
        help="parquet: export only this view (repeatable; default: all)",
    )
    p.add_argument("--from", dest="start", type=_start, metavar="DATE",
                   help="wacz: only records with a WARC-Date from DATE on")
    p.add_argument("--to", dest="end", type=_end, metavar="DATE",
                   help="wacz: only records with a WARC-Date up to DATE")
    add_data_dir(p)
    p.set_defaults(func=run)

    def one_line_error(message: str) -> NoReturn:
        fail("export", f"error: {message} (see --help)")
        raise SystemExit(2)

    p.error = one_line_error  # type: ignore[method-assign]  # one line, not usage + error
    return p


def run(args: argparse.Namespace) -> int:
    """Run `verdicts export`."""
    if args.format == "wacz":
        return _run_wacz(args)
    if args.start is not None or args.end is not None:
        fail("export", "--from/--to: only with --format wacz")
        return 2
    return _run_parquet(args)


def _run_parquet(args: argparse.Namespace) -> int:
    con = open_snapshot("export", args.data_dir, also_allow=[Path(args.output)])
    if con is None:
        return 2
    try:
        manifest = export_parquet(con, Path(args.output), args.views)
    except (duckdb.Error, OSError) as exc:
        fail("export", one_line(exc))
        return 1
    finally:
        con.close()
    for name, view in manifest["views"].items():
        parts = f", {len(view['partitions'])} month(s)" if view["partitions"] else ""
        print(f"{name}: {view['rows']} rows{parts}")
    print(f"wrote {args.output}/ (README.md, manifest.json)")
    return 0


def _wacz_problem(args: argparse.Namespace, out: Path) -> str | None:
    """Why these options cannot make a WACZ file (bad use: exit 2), or None."""
    if args.views:
        return "--view: only with --format parquet"
    if args.start is not None and args.end is not None and args.start >= args.end:
        return "--from must be before --to"
    if out.suffix.lower() != ".wacz":
        return f"{out}: a WACZ file's name must end in .wacz"
    if out.is_dir():
        return f"{out}: is a directory, not a .wacz file"
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return f"{out}: cannot write there: no directory {parent}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{out}: cannot write there: directory {parent} is not writable"
    return None


def _run_wacz(args: argparse.Namespace) -> int:
    out = Path(args.output)
    problem = _wacz_problem(args, out)
    if problem:
        fail("export", problem)
        return 2
    archive = settings.archive_dir(settings.data_dir(args.data_dir))
    if not archive.is_dir():
        fail("export", f"no archive to export: {archive} does not exist")
        return 1
    dates = DateRange(args.start, args.end) if args.start or args.end else None
    try:
        done = export_wacz(archive, out, dates=dates)
    except NothingToExport as exc:
        fail("export", f"nothing to export: {exc}")
        return 1
    except OSError as exc:
        fail("export", f"cannot write {out}: {one_line(exc)}")
        return 1
    _report(done)
    return 0


def _report(done: WaczExport) -> None:
    """What was left out (stderr, one line each), then what was written (stdout)."""
    for error in done.left_out:
        fail("export", f"left out {error}")
    if done.quarantined:
        where = done.quarantined[0].parent
        fail("export", f"left out {where}/ ({len(done.quarantined)} file(s): torn tails "
                       "moved aside by repair, not whole records)")
    size = f"{done.bytes / 1e6:.1f} MB" if done.bytes >= 100_000 else f"{done.bytes} bytes"
    print(f"wrote {done.path}: {done.warcs} WARC file(s), {done.records} records, "
          f"{done.pages} comparison page capture(s), {size}")
