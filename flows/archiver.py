"""Archiving beside the fetch: fetches written to the WARC at once, synced in groups.

The fetchers await :meth:`Archiver.commit` with each finished fetch: its records are
written there and then (unsynced); a sync round, one at a time, takes every fetch written
since the last round (a group), syncs the WARC file once and appends the group's journal
lines in a thread of its own, and only then hands the group back. So:

* write → fsync → journal → caller (→ warehouse): a line in the journal, a row handed on,
  a payload parsed, always names records already durable on disk; a kill -9 before the
  fsync leaves records no journal line or row refers to (recovery rebuilds their rows
  from the WARC, or the page is fetched again);
* one fsync per group instead of one per fetch: the group grows by itself while the
  previous fsync runs, so the busier the crawl, the fewer syncs per page;
* the records are built on the fetch's event loop, the sync waits in a thread (off the
  GIL): building them in a writer thread cost a third more CPU a page, every record a GIL
  hand-over between the two (bench.crawl's raw crawl, measured by hand in one run: 418–479
  pages/s that way, 586–632 this way); and a round starts only when the loop gets to it,
  so a group gathers what the loop wrote meanwhile (a sync thread woken for every fetch
  synced ~1 page a time: 2,836 fsyncs for 3,000 pages, slower than before).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from archive import Journal, WarcWriter
from crawler import FetchResult, FetchRow, PlanItem
from flows.archiving import RunSpec, archive_fetch, row_dict
from flows.payloads import Payload

__all__ = ["Archiver", "Committed"]

#: Fetches synced under one fsync at most (a bound on what one sync may hold up).
MAX_GROUP = 256


@dataclass(frozen=True)
class Committed:
    """One fetch, durable in the WARC and journaled: its row and payload to parse."""

    row: FetchRow
    payload: Payload | None
    item: PlanItem | None


_Written = tuple[Committed, "asyncio.Future[Committed]"]


class Archiver:
    """Write fetches to `writer` (under `lock`, shared with this process's other users of
    the writer) as they are committed; sync them and journal them to `journal` in groups.
    Use on one event loop, as a context manager there, or call :meth:`close`, which syncs
    and journals what a cancelled commit left written."""

    def __init__(self, writer: WarcWriter, lock: threading.Lock, spec: RunSpec,
                 journal: Journal | None, *, max_group: int = MAX_GROUP,
                 on_commit: Callable[[Committed], None] | None = None) -> None:
        self.writer, self.lock, self.spec, self.journal = writer, lock, spec, journal
        self.max_group = max_group
        self.on_commit = on_commit
        self.error: BaseException | None = None
        self.groups = 0  # fsynced groups (for the benchmark's figures)
        self._written: list[_Written] = []  # written, not yet synced, in write order
        self._round: asyncio.Task[None] | None = None
        self._sync = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="warc-sync")

    def __enter__(self) -> Archiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def commit(self, result: FetchResult, item: PlanItem | None) -> Committed:
        """Write a fetch's records now; return once they are durable and journaled (or
        raise the error that stopped the archiver: nothing of the fetch is journaled)."""
        if self.error is not None:
            raise self.error
        try:
            with self.lock, self.writer.unsynced():
                done = Committed(*archive_fetch(self.writer, self.spec, result, item), item)
        except BaseException as exc:
            self.error = exc
            raise
        fut: asyncio.Future[Committed] = asyncio.get_running_loop().create_future()
        self._written.append((done, fut))
        if self._round is None:
            self._round = asyncio.create_task(self._rounds())
        return await fut

    async def _rounds(self) -> None:
        """Sync rounds until nothing written waits for one."""
        loop = asyncio.get_running_loop()
        try:
            while self._written:
                group = self._written[:self.max_group]
                del self._written[:self.max_group]
                fetches = [c for c, _ in group]
                try:
                    if self.error is not None:
                        raise self.error
                    await loop.run_in_executor(self._sync, self._durable, self._handle(),
                                               fetches)
                except asyncio.CancelledError:
                    raise
                except BaseException as exc:  # noqa: BLE001 - handed to the callers
                    self.error = self.error or exc
                    for _, fut in group:
                        if not fut.done():
                            fut.set_exception(self.error)
                    continue
                self._done(fetches)
                for c, fut in group:
                    if not fut.done():  # its caller may have given up; the fetch is kept
                        fut.set_result(c)
        finally:
            self._round = None

    def _handle(self) -> int | None:
        """The writer's file flushed, its descriptor to fsync (None: nothing to sync)."""
        with self.lock:
            return self.writer.sync_handle()

    def _durable(self, fd: int | None, group: list[Committed]) -> None:
        """One fsync for everything written so far (the group included), then the
        group's journal lines (in the sync thread)."""
        if fd is not None:
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        # durable from here on: only now may the journal (and anyone) name these records
        if self.journal is not None:
            with self.journal.grouped():
                for c in group:
                    self.journal.append(row_dict(c.row))

    def _done(self, group: list[Committed]) -> None:
        self.groups += 1
        for c in group:
            if self.on_commit is not None:
                self.on_commit(c)

    def close(self) -> None:
        """Stop the sync thread; sync and journal what a cancelled commit left written;
        raise the error that stopped the archiver."""
        self._sync.shutdown(wait=True)
        left, self._written = [c for c, _ in self._written], []
        if left and self.error is None:
            self._durable(self._handle(), left)
            self._done(left)
        if self.error is not None:
            raise self.error
