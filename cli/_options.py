"""What several `verdicts` subcommands share: options, their parsing, and small helpers.

Each shared option is declared here once (name, metavar, help text, parsing), so every
subcommand's --help says the same thing about it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias, TypeVar

import duckdb

from flows import settings

#: What `add_subparsers()` returns: each subcommand module's `add_parser` takes it.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions kept as written; '(default: X)' added where there is a real default."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if ("%(default)" in text or "default:" in text or action.default in (None, False)
                or action.default is argparse.SUPPRESS):
            return text
        return text + " (default: %(default)s)"


def add_command(
    subparsers: Subparsers,
    name: str,
    *,
    help: str,  # noqa: A002 - argparse's own name for it
    description: str | None,
    epilog: str | None = None,
    formatter_class: type[argparse.HelpFormatter] = argparse.RawDescriptionHelpFormatter,
) -> argparse.ArgumentParser:
    """Register subcommand `name`; its description and epilog are printed as written."""
    return subparsers.add_parser(
        name, help=help, description=description, epilog=epilog,
        formatter_class=formatter_class,
    )


def add_data_dir(p: argparse.ArgumentParser, what: str = "data directory") -> None:
    """--data-dir DIR, resolved by :func:`flows.settings.data_dir`."""
    p.add_argument("--data-dir", metavar="DIR",
                   help=f"{what} (default: $VERDICTS_DATA_DIR, else ./data)")


_N = TypeVar("_N", int, float)


def at_least(convert: Callable[[str], _N], low: _N, what: str) -> Callable[[str], _N]:
    """An option's `type=`: its value as `convert` reads it (else "not `what`"), at least
    `low`, so a bad value is refused while parsing rather than deep in a run."""
    def parse(value: str) -> _N:
        try:
            n = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:g}, got {value}")
        return n
    return parse


#: A count option's value (--batch-size, --max-pages, …): a whole number, at least 1.
positive_int = at_least(int, 1, "a whole number")


def parse_time(value: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime (no offset means UTC)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {value!r} (e.g. 2025-06-01T08:00:00Z)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def add_observed_at(p: argparse.ArgumentParser, help: str) -> None:  # noqa: A002
    """--observed-at TIME, parsed by :func:`parse_time`; `help` says what it stamps."""
    p.add_argument("--observed-at", type=parse_time, metavar="TIME", help=help)


def add_inputs(p: argparse.ArgumentParser) -> None:
    """The PATH arguments and --url of `parse` and `import` (see flows.ingest)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .html, .htm, .txt or WARC file")
    p.add_argument(
        "--url",
        help="the page's URL (only with exactly one PATH); overrides WARC-Target-URI",
    )


def check_inputs(args: argparse.Namespace) -> bool:
    """False (after saying why on stderr) when --url is given with other than one PATH."""
    if args.url is not None and len(args.paths) != 1:
        fail(None, f"--url: needs exactly one PATH, got {len(args.paths)}")
        return False
    return True


def fail(command: str | None, message: str) -> None:
    """One line on stderr: ``verdicts <command>: <message>`` (``verdicts: …`` without one)."""
    prefix = f"verdicts {command}" if command else "verdicts"
    print(f"{prefix}: {message}", file=sys.stderr)


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (DuckDB's span several)."""
    return " ".join(str(exc).split())


def open_snapshot(command: str, data_dir: str | os.PathLike[str] | None, *,
                  also_allow: Sequence[Path] = ()) -> duckdb.DuckDBPyConnection | None:
    """The warehouse's published snapshot, read-only and sandboxed (see warehouse.snapshot);
    `also_allow`: folders outside the data dir the session may write to (an export's).
    None, after saying why on stderr, when there is none to open."""
    from warehouse.snapshot import open_readonly

    db: Path = settings.db_path(settings.data_dir(data_dir))
    try:
        return open_readonly(db, also_allow=also_allow)
    except (FileNotFoundError, duckdb.Error) as exc:
        fail(command, str(exc).splitlines()[0])
        return None
