"""Process setup for running the Prefect flows from a terminal.

Two steps. :func:`prefect_defaults` sets environment defaults and imports no Prefect: the
settings are read when Prefect is imported, so `verdicts` calls it first, for every
command. :func:`flow_process` wraps the flow runs of one command in this process: the
temporary Prefect server started with one retry, no heartbeat thread, and Prefect's log
lines printed through the command's rich console.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["STARTUP_TIMEOUT_S", "flow_process", "prefect_defaults",
           "route_logs"]

#: How long the temporary Prefect server may take to answer (Prefect's default is 20 s;
#: it takes 9-40 s on a busy 2-core machine).
STARTUP_TIMEOUT_S = 180

#: Environment defaults for every command (a value the user exported wins).
DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": str(STARTUP_TIMEOUT_S),
    # telemetry off: the server's analytics, the client's (the DO_NOT_TRACK standard,
    # which Prefect's SDK analytics honour) and OpenTelemetry resource metrics
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
}

#: Without -v: Prefect's (and Dask's) INFO lines stay off the terminal. Only the terminal
#: handler is raised to WARNING: a Prefect server still gets every run's INFO logs.
QUIET = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "DASK_LOGGING__DISTRIBUTED": "warning",
}


def prefect_defaults(verbose: bool) -> None:
    """Set the Prefect defaults of every `verdicts` command: a generous startup timeout for
    the temporary server, telemetry off, and (unless `verbose`) only warnings and errors
    on the terminal.

    Sets environment defaults only: a value the user exported wins. Call before Prefect is
    imported.
    """
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if not verbose:
        for key, value in QUIET.items():
            os.environ.setdefault(key, value)


@contextmanager
def flow_process(console: Console | None = None) -> Iterator[None]:
    """Around the flow runs one command makes in this process.

    Without a Prefect API (no PREFECT_API_URL): the temporary server is started now, once
    more if the first start fails (a slow machine), and flow runs start no heartbeat
    thread (heartbeats let a real server notice a crashed run; joining the thread costs
    each run up to 1 s). With `console`, Prefect's log lines print through it, so they
    never overwrite its progress bars.
    """
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    ensure_logging_setup()  # Prefect's handlers exist now, to be routed
    restore = route_logs(console) if console is not None else None
    try:
        if get_current_settings().api.url:
            yield
            return
        _start_temporary_server()
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield
    finally:
        if restore is not None:
            restore()


def _start_temporary_server() -> None:
    """Start Prefect's temporary server for this process; one retry on a failed start."""
    from prefect.server.api.server import SubprocessASGIServer

    try:
        SubprocessASGIServer().start()
    except RuntimeError:  # "Timed out while attempting to connect…": once more
        SubprocessASGIServer().stop()  # kills the slow one and forgets it
        SubprocessASGIServer().start()


def _is_terminal_stream(handler: logging.Handler) -> bool:
    stream = getattr(handler, "stream", None)
    return isinstance(handler, logging.StreamHandler) and stream in (
        sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)


def route_logs(console: Console) -> Callable[[], None]:
    """Replace every log handler that writes to the terminal with a RichHandler on
    `console` (same level and filters); returns a function that puts them back."""
    from rich.logging import RichHandler

    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    swapped: list[tuple[logging.Logger, int, logging.Handler]] = []
    for logger in loggers:
        for i, handler in enumerate(logger.handlers):
            if not _is_terminal_stream(handler):
                continue
            rich = RichHandler(level=handler.level, console=console, show_path=False,
                               markup=False, rich_tracebacks=False, log_time_format="%H:%M:%S")
            rich.setFormatter(logging.Formatter("%(name)s - %(message)s"))
            for f in handler.filters:
                rich.addFilter(f)
            logger.handlers[i] = rich
            swapped.append((logger, i, handler))

    def restore() -> None:
        for logger, i, handler in swapped:
            if i < len(logger.handlers):
                logger.handlers[i] = handler

    return restore
