"""`verdicts reparse`: rebuild the parsed tables from the WARC archive alone."""

from __future__ import annotations

import argparse
import json
import os
import sys

from flows import settings
from flows.commands.crawl import _Formatter

DESCRIPTION = """\
Parse every page payload in DATA_DIR/archive again with the current parser and reload the
warehouse's parsed tables (captures keep their ids; their parse, tool and review rows are
replaced). Nothing is fetched: a new parser version means a reparse, not a refetch."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `verdicts reparse`."""
    p = subparsers.add_parser(
        "reparse", help="re-parse the archived pages and rebuild the parsed tables",
        description=DESCRIPTION,
        formatter_class=_Formatter,
    )
    p.add_argument("--data-dir", metavar="DIR",
                   help="data directory (default: $VERDICTS_DATA_DIR, else ./data)")
    p.add_argument("--db", metavar="PATH",
                   help="load into this warehouse file instead of DATA_DIR/verdicts.duckdb "
                        "(e.g. a new one, to check the archive alone rebuilds it)")
    p.add_argument("--no-prefect", action="store_true", help="run without Prefect")
    p.add_argument("-v", "--verbose", action="store_true", help="show Prefect's run logs")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Reparse and print the totals as JSON. 1 when the archive has no WARC files."""
    data = settings.data_dir(args.data_dir)
    if not settings.archive_dir(data).is_dir():
        print(f"verdicts reparse: no archive in {data} (nothing to reparse)", file=sys.stderr)
        return 1
    if not args.verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.crawl import reparse, reparse_archive

    fn = reparse if args.no_prefect else reparse_archive
    totals = fn(str(data), db=args.db)
    print(json.dumps(totals, indent=2, default=str))
    return 0
