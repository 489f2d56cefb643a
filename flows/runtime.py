"""Process setup for running the Prefect flows from a terminal.

Two steps. :func:`prefect_defaults` sets environment defaults and imports no Prefect: the
settings are read when Prefect is imported, so `verdicts` calls it first, for every
command. :func:`flow_process` wraps the flow runs of one command in this process: the
temporary Prefect server started with one retry and tied to this process (it dies with it,
kill -9 included), no heartbeat thread, and Prefect's log lines printed through the
command's rich console.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

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
    """Start Prefect's temporary server for this process, tied to it (it dies with this
    process, kill -9 included); one retry on a failed start."""
    _check_loopback()
    server = _tied_server()
    try:
        server.start()
    except RuntimeError:  # "Timed out while attempting to connect…": once more
        server.stop()  # kills the slow one and forgets it
        _tied_server().start()


def _check_loopback() -> None:
    """Fail at once, naming the cause, when this process cannot reach 127.0.0.1 (the
    loopback interface down, e.g. a fresh network namespace): Prefect would wait its whole
    startup timeout, twice, for a server nobody can reach."""
    import socket

    from flows.health import RunFailed  # its line is the whole message, no type name

    try:
        with socket.create_server(("127.0.0.1", 0)) as srv:
            socket.create_connection(srv.getsockname(), timeout=10).close()
    except OSError as exc:
        raise RunFailed(
            f"cannot reach 127.0.0.1 ({exc.strerror or exc}): Prefect's temporary server "
            "needs the loopback interface up (or use --no-prefect)") from None


#: Run in the server's process before it becomes uvicorn: ask the kernel for SIGKILL when
#: the parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``, kept across exec), and quit if the
#: parent is already gone (it died before the request took effect).
_TETHER = """\
import ctypes, os, signal, sys
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def _tied_server() -> Any:
    """Prefect's temporary server (the instance Prefect's clients use), its process tied
    to this one when this is the main thread.

    Prefect starts ``python -m uvicorn …`` with no link to its parent: a SIGKILLed
    `verdicts crawl` used to leave it running. The tie is a parent-death signal, which
    fires when the *thread* that started the child ends, hence the main thread only.
    """
    import subprocess

    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    if threading.current_thread() is not threading.main_thread():
        return SubprocessASGIServer()

    class TiedServer(SubprocessASGIServer):
        """Prefect's own server command (UI off, ephemeral), started through _TETHER."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            uvicorn = ["-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
                       "--factory", "prefect.server.api.server:create_app",
                       "--host", "127.0.0.1", "--port", str(self.port),
                       "--log-level", "error", "--lifespan", "on"]
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1",
                   **get_current_settings().to_environment_variables(exclude_unset=True)}
            return subprocess.Popen(
                [sys.executable, "-c", _TETHER, str(os.getpid()), *uvicorn], env=env)

    return TiedServer()


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
