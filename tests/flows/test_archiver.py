"""The archiver writes a fetch at once and syncs it beside further writes (issue 10: the
full crawl's CPU a page; write → fsync → journal → caller, whatever the sync's pace).

Real parts: a real WARC writer on disk, a real journal file, real fetch results from the
fetcher against the replica. Only os.fsync is held (an Event) to stand for a slow disk.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import Journal, WarcWriter, read_journal, read_record_payload
from crawler import FetchConfig, Fetcher, FetchResult
from flows.archiver import Archiver, Committed
from flows.archiving import RunSpec
from replica import Replica

pytestmark = pytest.mark.timeout(120)


def _fetch(base_url: str, paths: list[str]) -> list[FetchResult]:
    cfg = replace(FetchConfig(), rate=None, concurrency=2, obey_robots=False)

    async def go() -> list[FetchResult]:
        async with Fetcher(base_url, cfg) as f:
            return [await f.fetch(base_url + p) for p in paths]

    return asyncio.run(go())


def test_writes_go_on_while_a_sync_is_slow_and_nothing_is_journaled_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Replica(scale=10, crawl_delay=None) as r:
        paths = r.catalog.paths()[:4]
        results = _fetch(r.base_url, paths)
        spec = RunSpec(run_id="20250602T030000Z-test0000", base_url=r.base_url,
                       data_dir=str(tmp_path), observed_at=datetime(2025, 6, 2, 3, tzinfo=UTC),
                       simulated=True, config=FetchConfig(), parser_version="test")

    real_fsync, release, syncing = os.fsync, threading.Event(), threading.Event()

    def slow_fsync(fd: int) -> None:  # the WARC's syncs only (not its directory's)
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".warc.gz"):
            syncing.set()
            assert release.wait(60), "the test never released the sync"
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    writer = WarcWriter(spec.archive_dir, prefix="test")

    async def go() -> tuple[list[Committed], dict[str, Any]]:
        with Journal(spec.journal) as journal, \
                Archiver(writer, threading.Lock(), spec, journal) as archiver:
            first = asyncio.ensure_future(archiver.commit(results[0], None))
            assert await asyncio.to_thread(syncing.wait, 30), "the first fetch was never synced"
            # the sync hangs: the other fetches are written all the same, none is done
            assert writer.path is not None
            size = writer.path.stat().st_size
            rest = [asyncio.ensure_future(archiver.commit(res, None)) for res in results[1:]]
            await asyncio.sleep(0.2)
            assert writer.path.stat().st_size > size
            assert not first.done() and not any(f.done() for f in rest)
            assert read_journal(spec.journal) == {}
            release.set()
            done = await asyncio.gather(first, *rest)
        return list(done), read_journal(spec.journal)

    try:
        done, journaled = asyncio.run(go())
    finally:
        release.set()
        writer.close()

    assert [c.row.url for c in done] == [res.url for res in results]
    assert set(journaled) == {res.url for res in results}
    for c in done:  # each row names a record that reads back whole
        assert c.payload is not None
        assert c.row.warc_path is not None and c.row.warc_offset is not None
        assert read_record_payload(tmp_path / c.row.warc_path, c.row.warc_offset) \
            == c.payload.payload
