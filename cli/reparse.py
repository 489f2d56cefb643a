"""`verdicts reparse`: rebuild the parsed tables from the WARC archive alone."""

from __future__ import annotations

import argparse
import contextlib
import json

from cli._exits import add_verbose, add_wait, exit_for, hide_run_tracebacks
from cli._options import HelpFormatter, Subparsers, add_command, add_data_dir, fail
from flows import settings

DESCRIPTION = """\
Parse every page payload in DATA_DIR/archive again with the current parser and reload the
warehouse's parsed tables (captures keep their ids; their parse, tool and review rows are
replaced). Nothing is fetched: a new parser version means a reparse, not a refetch."""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts reparse`."""
    p = add_command(
        subparsers, "reparse", help="re-parse the archived pages and rebuild the parsed tables",
        description=DESCRIPTION, formatter_class=HelpFormatter,
    )
    add_data_dir(p)
    p.add_argument("--db", metavar="PATH",
                   help="load into this warehouse file instead of DATA_DIR/verdicts.duckdb "
                        "(e.g. a new one, to check the archive alone rebuilds it)")
    p.add_argument("--no-prefect", action="store_true", help="run without Prefect")
    add_wait(p)
    add_verbose(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Reparse and print the totals as JSON. 1 when the archive has no WARC files or the
    reparse failed (one line says why), 2 when another writer holds the data dir."""
    data = settings.data_dir(args.data_dir)
    if not settings.archive_dir(data).is_dir():
        fail("reparse", f"no archive in {data} (nothing to reparse)")
        return 1
    from flows.lock import writer_lock
    from flows.reparse import reparse, reparse_archive
    from flows.runtime import flow_process

    hide_run_tracebacks(args.verbose)
    fn = reparse if args.no_prefect else reparse_archive
    try:
        # the flow takes the lock too (re-entrant in this process); here it waits --wait
        runtime = contextlib.nullcontext() if args.no_prefect else flow_process()
        with writer_lock(data.resolve(), "reparse", wait=args.wait), runtime:
            totals = fn(str(data), db=args.db)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        return exit_for("reparse", exc, verbose=args.verbose)
    print(json.dumps(totals, indent=2, default=str))
    return 0
