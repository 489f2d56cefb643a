"""The `verdicts` command: one entry point, one module per subcommand under cli/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand name -> module under cli. Each module defines
# `add_parser(subparsers)` (which sets `func=run`) and `run(args) -> int`.
COMMANDS: dict[str, str] = {
    "parse": "parse",
    "import": "import_",
    "reparse": "reparse",
    "crawl": "crawl",
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(f"cli.{module_name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("verdicts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `verdicts parse … | head`
        return 0

