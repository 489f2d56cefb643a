"""The `verdicts` command: one entry point, one module per subcommand under cli/."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from flows.runtime import prefect_defaults

#: The distribution whose version `verdicts --version` prints.
DISTRIBUTION = "verdict-archive"

# Subcommand name -> module under cli. Each module defines
# `add_parser(subparsers)` (which sets `func=run`) and `run(args) -> int`.
COMMANDS: dict[str, str] = {
    "parse": "parse",
    "import": "import_",
    "reparse": "reparse",
    "crawl": "crawl",
    "backfill": "backfill",
    "schedule": "schedule",
    "replica": "replica",
    "sql": "sql",
    "export": "export",
    "report": "report",
    "demo": "demo",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="verdicts",
        description="Archive shiporskip.io comparison pages and query how their verdicts change.",
    )
    parser.add_argument("--version", action="version", version=f"verdicts {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(f"cli.{module_name}").add_parser(sub)
    return parser


def version() -> str:
    """This installation's version, from the package metadata."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status.

    Prefect's defaults (startup timeout, telemetry off, quiet unless -v) are set first,
    before any subcommand imports Prefect.
    """
    args = build_parser().parse_args(argv)
    prefect_defaults(verbose=bool(getattr(args, "verbose", False)))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("verdicts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `verdicts parse … | head`
        return 0

