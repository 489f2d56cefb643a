"""Parse workers that do not outlive the crawl that started them.

A crawl killed with SIGKILL cannot shut its process pool down. Its parse workers would
wait for work forever, and they hold the forkserver's "alive" pipe open, so the forkserver
stays too. :func:`exit_when_gone`, the pool's initializer, ends each worker as soon as the
crawl's process is gone; the forkserver then sees its pipe close and exits as well.
"""

from __future__ import annotations

import os
import select
import threading

__all__ = ["exit_when_gone"]


def exit_when_gone(pid: int) -> None:
    """Pool initializer: exit this worker as soon as process `pid` has ended (watched
    through a pidfd, so no polling). Without pidfds (not Linux) it does nothing."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)  # already gone before this worker started
    except (OSError, AttributeError):
        return

    def watch() -> None:
        select.select([fd], [], [])  # readable once the process has exited
        os._exit(1)

    threading.Thread(target=watch, name="exit-when-crawl-gone", daemon=True).start()
