"""What a running crawl tells the outside: a progress hook, and where its log lines go.

Both work with and without Prefect. Prefect is never imported here: when it has not been
imported by someone else, there is no Prefect run to ask about.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

__all__ = ["Stage", "StageClock", "is_task_retry", "progress", "run_logger",
           "set_progress_hook"]

log = logging.getLogger("verdicts.crawl")

_PROGRESS: Callable[[str, int, int], None] | None = None


def set_progress_hook(hook: Callable[[str, int, int], None] | None) -> None:
    """Call `hook(stage, done, total)` as the crawl advances (in this process only).

    Stages: 'plan' (total = pages to fetch), 'fetch' (per page, when fetch tasks run
    in this process; else per batch), 'done'.
    """
    global _PROGRESS
    _PROGRESS = hook


def progress(stage: str, done: int, total: int) -> None:
    """Tell the progress hook, if any; a failing hook is logged, never raised."""
    hook = _PROGRESS
    if hook is not None:
        try:
            hook(stage, done, total)
        except Exception:  # noqa: BLE001 - a display problem must not stop a crawl
            log.debug("progress hook failed", exc_info=True)


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a flow/task run, else the crawl's logger."""
    if "prefect" not in sys.modules:
        return log
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:  # noqa: BLE001 - MissingContextError outside a Prefect run
        return log


def is_task_retry() -> bool:
    """Is this a Prefect task run's second (or later) try? (False outside Prefect.)"""
    if "prefect" not in sys.modules:
        return False
    try:
        from prefect.context import TaskRunContext

        ctx = TaskRunContext.get()
    except Exception:  # noqa: BLE001 - no Prefect context
        return False
    return bool(ctx is not None and ctx.task_run.run_count > 1)


class Stage(StrEnum):
    """The parts of a crawl run timed by :class:`StageClock` (the summary's ``stage_s``)."""

    OPEN = "open"  # writer lock and warehouse connection (the schema applied)
    START = "start"  # the run opened or found, and a resumed run's recovery
    DISCOVER = "discover"  # robots.txt and sitemaps fetched, archived and recorded
    PLAN = "plan"  # tonight's fetch list from every known URL's state
    BATCHES = "batches"  # fetch, archive, parse and load, batch after batch
    WAREHOUSE = "warehouse"  # of which: the writes of rows and captures
    CHECK = "check"  # lost captures recaptured, the night judged, the run closed
    REFRESH = "refresh"  # the derived tables brought up to date
    PUBLISH = "publish"  # CHECKPOINT, copy and rename of the analysts' snapshot
    SUMMARY = "summary"  # the run's figures read back


class StageClock:
    """Seconds spent in each stage of one run, summed over its repeats, so a slow night
    says where its time went (the summary's ``stage_s``; bench.soak compares them across
    a year of nights)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[Stage, float] = {}

    def elapsed(self) -> float:
        """Seconds since the clock was made (the run's start)."""
        return time.perf_counter() - self.started

    @contextmanager
    def stage(self, name: Stage) -> Iterator[None]:
        """Time the block as (part of) stage `name`, whether it returns or raises."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def rounded(self) -> dict[str, float]:
        """The stages timed so far, in seconds to the millisecond, in Stage order."""
        return {str(s): round(self.seconds[s], 3) for s in Stage if s in self.seconds}
