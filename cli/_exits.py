"""Honest exits for the commands that write: one line naming the real cause, no traceback
(unless -v), and the exit status a script can act on.

Exit statuses: 1 the command ran and failed (the line says why: the site unreachable,
too many failures, ``No space left on device``…); 2 another writer holds the data dir
(the line names it: command, pid, since when), or bad use.
"""

from __future__ import annotations

import argparse
import logging
import traceback

from cli._options import at_least, fail
from flows.health import cause_line
from flows.lock import LockHeld

__all__ = ["add_wait", "exit_for", "hide_run_tracebacks"]


_seconds = at_least(float, 0.0, "a number of seconds")


def add_wait(p: argparse.ArgumentParser) -> None:
    """--wait SECONDS: how long to wait for another writer (crawl, import, reparse)."""
    p.add_argument("--wait", type=_seconds, default=0.0, metavar="SECONDS",
                   help="when another crawl, import or reparse holds the data dir, wait up to "
                        "SECONDS for it (default: 0, refuse at once with exit 2)")


def add_verbose(p: argparse.ArgumentParser,
                help: str = "show Prefect's run logs, and the traceback of an error",  # noqa: A002
                ) -> None:
    """-v/--verbose: Prefect's run logs and tracebacks back on the terminal."""
    p.add_argument("-v", "--verbose", action="store_true", help=help)


def exit_for(command: str, exc: BaseException, *, verbose: bool = False) -> int:
    """Say on one line why `command` failed; return its exit status (2 lock held, else 1)."""
    if verbose:
        traceback.print_exception(exc)
    if isinstance(exc, LockHeld):
        fail(command, str(exc))
        return 2
    fail(command, f"failed: {cause_line(exc)}")
    return 1



class _NoRunErrors(logging.Filter):
    """Drops Prefect's flow/task run errors (each carries a traceback) from the terminal:
    the command's own line says why; the Prefect API still gets them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno >= logging.ERROR
                    and record.name.startswith(("prefect.flow_runs", "prefect.task_runs")))


def hide_run_tracebacks(verbose: bool) -> None:
    """Unless `verbose`, keep Prefect's run error tracebacks off the terminal. Call after
    Prefect is imported (it sets up logging then); a second call adds nothing."""
    if verbose:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _NoRunErrors) for f in handler.filters):
            handler.addFilter(_NoRunErrors())
