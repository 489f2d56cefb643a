"""`verdicts export`: write every analyst view as Parquet (partitioned by month) + manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from flows import settings
from warehouse.export import EXPORTS, export_parquet
from warehouse.snapshot import open_readonly

DESCRIPTION = """\
Write the warehouse's analyst views as Parquet files under DIR, one directory per view.
Views with a time column are partitioned by UTC month, hive style
(DIR/tool_history/month=2025-03/data_0.parquet); the others are one file. DIR/README.md
and DIR/manifest.json describe what was written (rows, columns, partitions, and each
view's documentation). An earlier export of the same view in DIR is replaced.
Reads the published snapshot (see `verdicts sql`), so it never blocks a crawl.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `verdicts export`."""
    p = subparsers.add_parser(
        "export",
        help="write every analyst view as Parquet, partitioned by month",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", metavar="DIR", help="output directory")
    p.add_argument("--format", choices=("parquet",), default="parquet", help="parquet (default)")
    p.add_argument(
        "--view",
        action="append",
        choices=sorted(EXPORTS),
        dest="views",
        help="export only this view (repeatable; default: all)",
    )
    p.add_argument("--data-dir", help="data directory (default: $VERDICTS_DATA_DIR or ./data)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run `verdicts export`."""
    db = settings.db_path(settings.data_dir(args.data_dir))
    try:
        con = open_readonly(db)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"verdicts export: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    try:
        manifest = export_parquet(con, Path(args.dir), args.views)
    except (duckdb.Error, OSError) as exc:
        print(f"verdicts export: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    finally:
        con.close()
    for name, view in manifest["views"].items():
        parts = f", {len(view['partitions'])} month(s)" if view["partitions"] else ""
        print(f"{name}: {view['rows']} rows{parts}")
    print(f"wrote {args.dir}/ (README.md, manifest.json)")
    return 0
