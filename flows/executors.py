"""Where the stages run: as Prefect tasks (in a flow run) or in plain threads/processes.

The pipeline submits stages by name — 'discover', 'fetch', 'parse' — and waits on the
futures it gets back; both kinds of future answer `.result()`. No Prefect here: the
Prefect tasks are made in :mod:`flows.nightly` and handed to :class:`PrefectExecutor`.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flows.orphans import exit_when_gone
from flows.payloads import parse_batch
from flows.stages import discover_site, fetch_batch

__all__ = ["Executor", "PrefectExecutor", "ThreadExecutor"]

#: The module the parse worker processes import once, at their start: parse_batch's.
PARSE_MODULE = parse_batch.__module__


class Executor:
    """Submit stage functions by name; `.close()` releases what they ran on.

    `parallel_parse`: parse batches run beside the next fetch batch. Only worth it when
    they run in other processes: in threads, a CPU-bound parse beside the fetch's event
    loop makes both slower (the loop waits for the GIL after every socket operation).
    """

    parallel_parse = False

    def submit(self, name: str, **kwargs: Any) -> Any:
        """Start stage `name` with `kwargs`; returns a future."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the executor's resources."""


class PrefectExecutor(Executor):
    """Stages as Prefect task runs: `tasks` maps stage names to Prefect tasks; `runner`
    is a task runner to submit them to (None: the flow's own)."""

    def __init__(self, tasks: Mapping[str, Any], runner: Any | None = None, *,
                 parallel_parse: bool = False) -> None:
        self.tasks = tasks
        self.runner = runner
        self.parallel_parse = parallel_parse

    def submit(self, name: str, **kwargs: Any) -> Any:
        t = self.tasks[name]
        if self.runner is None:
            return t.submit(**kwargs)
        return self.runner.submit(t, kwargs)


class ThreadExecutor(Executor):
    """Threads for discover and fetch; with `parse_processes`, parse batches go to a pool
    of that many worker processes (started lazily, from a forkserver), so parsing runs
    beside the fetch's event loop instead of competing with it for the GIL."""

    _FUNCS: Mapping[str, Callable[..., Any]] = {
        "discover": discover_site, "fetch": fetch_batch, "parse": parse_batch,
    }

    def __init__(self, parse_processes: int = 0) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="crawl")
        self.parse_processes = parse_processes
        self.parallel_parse = parse_processes > 0
        self._procs: concurrent.futures.ProcessPoolExecutor | None = None
        self._procs_lock = threading.Lock()
        if self.parallel_parse:  # the workers start (imports, fork) beside discovery, not
            self.pool.submit(self._warm_up)  # in the first batch's way

    def _parse_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """The parse worker processes (made on first use)."""
        with self._procs_lock:
            if self._procs is None:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload([PARSE_MODULE])  # imported once, not per worker
                self._procs = concurrent.futures.ProcessPoolExecutor(
                    self.parse_processes, mp_context=ctx,
                    # a crawl killed with SIGKILL leaves no worker (nor forkserver) behind
                    initializer=exit_when_gone, initargs=(os.getpid(),))
            return self._procs

    def _warm_up(self) -> None:
        """Start the parse workers (one no-op task each)."""
        procs = self._parse_pool()
        for fut in [procs.submit(os.getpid) for _ in range(self.parse_processes)]:
            fut.result()

    def submit(self, name: str, **kwargs: Any) -> Any:
        if name == "parse" and self.parse_processes > 0:
            return self._parse_pool().submit(parse_batch, **kwargs)
        return self.pool.submit(self._FUNCS[name], **kwargs)

    def close(self) -> None:
        self.pool.shutdown(wait=True)  # the warm-up too
        with self._procs_lock:
            if self._procs is not None:
                self._procs.shutdown(wait=True, cancel_futures=True)
                self._procs = None

