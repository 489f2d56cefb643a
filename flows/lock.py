"""One writer at a time: an exclusive lock on the data directory.

Crawl, import and reparse write the warehouse file (DuckDB allows one writing process) and
the archive. Each takes :func:`writer_lock` first, so a second writer gets a one-line
message naming the holder (:class:`LockHeld`) instead of DuckDB's "Conflicting lock"
traceback halfway through its work. Readers never take it: they read the published
snapshot.

The lock is an ``fcntl.flock`` on ``<data_dir>/.writer.lock``: the kernel drops it when the
holder dies (kill -9 included), so a stale file never blocks anyone; the file's text only
says who holds it. Within one process the lock is re-entrant (the CLI and the flow it runs
may both take it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["LOCK_FILENAME", "Holder", "LockHeld", "read_holder", "writer_lock"]

LOCK_FILENAME = ".writer.lock"
_POLL_S = 0.1


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock: the command, its process and since when (UTC)."""

    command: str
    pid: int
    since: datetime

    def describe(self) -> str:
        """e.g. "`verdicts crawl` (pid 123, since 2026-11-30 16:00 UTC)"."""
        return (f"`verdicts {self.command}` (pid {self.pid}, "
                f"since {self.since.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")


class LockHeld(Exception):  # noqa: N818 - "the lock is held" reads better than LockHeldError
    """The data directory's writer lock is held by another process."""

    def __init__(self, data_dir: Path, holder: Holder | None) -> None:
        self.data_dir = data_dir
        self.holder = holder
        who = holder.describe() if holder else "another process (holder not recorded yet)"
        super().__init__(f"the data dir {data_dir} is in use by {who}")


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def read_holder(data_dir: Path) -> Holder | None:
    """The holder recorded in the lock file (the last one, if nobody holds it now)."""
    try:
        text = (Path(data_dir) / LOCK_FILENAME).read_text(encoding="utf-8")
        info = json.loads(text)
        return Holder(str(info["command"]), int(info["pid"]),
                      datetime.fromisoformat(str(info["since"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def writer_lock(data_dir: Path, command: str, *, wait: float = 0.0) -> Iterator[Holder]:
    """Hold the data dir's writer lock for the block; `command` names the holder (e.g.
    "crawl"). If another process holds it, retry for up to `wait` seconds, then raise
    :class:`LockHeld`. Creates the data dir if needed; an OSError (read-only or full disk)
    propagates with its own message."""
    path = Path(data_dir).resolve()
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield read_holder(path) or Holder(command, os.getpid(), datetime.now(UTC))
        finally:
            with _guard:
                held.depth -= 1
        return
    fd = _acquire(path, wait)
    holder = Holder(command, os.getpid(), datetime.now(UTC))
    try:
        _write_holder(fd, holder)
        with _guard:
            _held[path] = _Held(fd, 1)
        yield holder
    finally:
        with _guard:
            _held.pop(path, None)
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(path: Path, wait: float) -> int:
    """An open descriptor of the lock file with the exclusive flock taken."""
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_FILENAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockHeld(path, read_holder(path)) from None
            time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
        except BaseException:
            os.close(fd)
            raise


def _write_holder(fd: int, holder: Holder) -> None:
    """Record the holder in the lock file (the text is informative; the flock is the lock)."""
    text = json.dumps({"command": holder.command, "pid": holder.pid,
                       "since": holder.since.isoformat()}) + "\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)
