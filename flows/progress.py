"""What a running crawl tells the outside: a progress hook, and where its log lines go.

Both work with and without Prefect. Prefect is never imported here: when it has not been
imported by someone else, there is no Prefect run to ask about.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

__all__ = ["is_task_retry", "progress", "run_logger", "set_progress_hook"]

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
