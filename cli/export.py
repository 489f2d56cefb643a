"""`verdicts export`: write every analyst view as Parquet (partitioned by month) + manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from cli._options import Subparsers, add_command, add_data_dir, fail, one_line, open_snapshot
from warehouse.export import EXPORTS, export_parquet

DESCRIPTION = """\
Write the warehouse's analyst views as Parquet files under DIR, one directory per view.
Views with a time column are partitioned by UTC month, hive style
(DIR/tool_history/month=2025-03/data_0.parquet); the others are one file. DIR/README.md
and DIR/manifest.json describe what was written (rows, columns, partitions, and each
view's documentation). An earlier export of the same view in DIR is replaced.
Reads the published snapshot (see `verdicts sql`), so it never blocks a crawl.
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts export`."""
    p = add_command(
        subparsers, "export", help="write every analyst view as Parquet, partitioned by month",
        description=DESCRIPTION,
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
    add_data_dir(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run `verdicts export`."""
    con = open_snapshot("export", args.data_dir, also_allow=[Path(args.dir)])
    if con is None:
        return 2
    try:
        manifest = export_parquet(con, Path(args.dir), args.views)
    except (duckdb.Error, OSError) as exc:
        fail("export", one_line(exc))
        return 1
    finally:
        con.close()
    for name, view in manifest["views"].items():
        parts = f", {len(view['partitions'])} month(s)" if view["partitions"] else ""
        print(f"{name}: {view['rows']} rows{parts}")
    print(f"wrote {args.dir}/ (README.md, manifest.json)")
    return 0
