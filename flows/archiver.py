"""Archiving beside the fetch: a writer thread that commits fetches to the WARC in groups.

The fetchers hand each finished fetch to :class:`Archiver` and go on fetching; its thread
takes whatever has queued up (a group), writes every record of the group, syncs the WARC
file once, and only then appends the group's journal lines and tells the caller (the
future :meth:`Archiver.submit` returned). So:

* write → fsync → journal → caller (→ warehouse): a line in the journal, a row handed on,
  a payload parsed, always names records already durable on disk; a kill -9 before the
  fsync leaves records no journal line or row refers to (recovery rebuilds their rows
  from the WARC, or the page is fetched again);
* one fsync per group instead of one per fetch: the group grows by itself while the
  previous fsync runs, so the busier the crawl, the fewer syncs per page;
* the compression, digests and fsync mostly run without the GIL, beside the event loop.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from archive import Journal, WarcWriter
from crawler import FetchResult, FetchRow, PlanItem
from flows.archiving import RunSpec, archive_fetch, row_dict
from flows.payloads import Payload

__all__ = ["Archiver", "Committed"]

#: Fetches written under one fsync at most (a bound on what one sync may hold up).
MAX_GROUP = 256


@dataclass(frozen=True)
class Committed:
    """One fetch, durable in the WARC and journaled: its row and payload to parse."""

    row: FetchRow
    payload: Payload | None
    item: PlanItem | None


_Job = tuple[FetchResult, PlanItem | None, "concurrent.futures.Future[Committed]"]


class Archiver:
    """Commit fetches to `writer` (under `lock`, shared with this process's other users
    of the writer) and `journal` in groups, in a thread of its own. Use as a context
    manager, or call :meth:`close`, which commits what is queued and stops the thread."""

    def __init__(self, writer: WarcWriter, lock: threading.Lock, spec: RunSpec,
                 journal: Journal | None, *, max_group: int = MAX_GROUP,
                 on_commit: Callable[[Committed], None] | None = None) -> None:
        self.writer, self.lock, self.spec, self.journal = writer, lock, spec, journal
        self.max_group = max_group
        self.on_commit = on_commit
        self.error: BaseException | None = None
        self.groups = 0  # fsynced groups (for the benchmark's figures)
        self.committed = 0
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> Archiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, result: FetchResult, item: PlanItem | None) -> concurrent.futures.Future[
            Committed]:
        """Queue a fetch; the future completes once it is durable and journaled (or with
        the error that stopped the writer: nothing of it is then journaled)."""
        fut: concurrent.futures.Future[Committed] = concurrent.futures.Future()
        if self.error is not None:
            fut.set_exception(self.error)
        elif not self._thread.is_alive():
            fut.set_exception(RuntimeError("the archiver is closed"))
        else:
            self._queue.put((result, item, fut))
        return fut

    def close(self) -> None:
        """Commit what is queued, stop the thread; raise the error that stopped it."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        stop = False
        while not stop:
            group, stop = self._next_group()
            if not group:
                continue
            if self.error is not None:
                for _, _, fut in group:
                    fut.set_exception(self.error)
                continue
            try:
                self._commit(group)
            except BaseException as exc:  # noqa: BLE001 - handed to the callers
                self.error = exc
                for _, _, fut in group:
                    if not fut.done():
                        fut.set_exception(exc)

    def _next_group(self) -> tuple[list[_Job], bool]:
        """Wait for a fetch, then take all that queued behind it (up to max_group);
        True when the queue's end was reached."""
        first = self._queue.get()
        if first is None:
            return [], True
        group = [first]
        while len(group) < self.max_group:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return group, True
            group.append(job)
        return group, False

    def _commit(self, group: list[_Job]) -> None:
        """Write the group's records, one fsync, then its journal lines, then tell."""
        with self.lock, self.writer.deferred_sync():
            done = [
                Committed(*archive_fetch(self.writer, self.spec, result, item), item)
                for result, item, _ in group
            ]
        # durable from here on: only now may the journal (and anyone) name these records
        if self.journal is not None:
            with self.journal.grouped():
                for c in done:
                    self.journal.append(row_dict(c.row))
        self.groups += 1
        for c, (_, _, fut) in zip(done, group, strict=True):
            self.committed += 1
            if self.on_commit is not None:
                self.on_commit(c)
            fut.set_result(c)
