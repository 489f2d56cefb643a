"""Group commit: kill -9 a crawl between a WARC group's writes and its fsync, then lose
every byte that was not synced (a power cut's worst case): no journal line, crawl_fetch
row or capture names a record that is gone, and the resumed run loses and repeats nothing.

The crawl runs in a real child process whose os.fsync is wrapped: each WARC sync that
completes logs the file's size (its durable prefix); the first WARC sync after the
warehouse has loaded a batch blocks instead, so the kill lands with records written to
the file and not yet synced, mid-batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import journal_path, read_journal, read_payload_at
from flows import settings
from flows.pipeline import crawl
from replica import Replica
from warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

REPO = Path(__file__).resolve().parents[2]
NIGHT = datetime(2025, 6, 2, 3, tzinfo=UTC)
KW: dict[str, Any] = dict(observed_at=NIGHT, rate=0, concurrency=3, batch_size=8,
                          parse_processes=0)

CHILD = """
import os, sys, time
from pathlib import Path
from datetime import datetime
import flows.batch_writes as batch_writes
import flows.pipeline as pipeline

base, data, log, marker = sys.argv[1:5]
real_fsync, real_load = os.fsync, batch_writes.load_captures
loaded = []

def load_captures(con, records, **kw):
    out = real_load(con, records, **kw)
    loaded.append(len(records))
    return out

def fsync(fd):
    path = os.readlink(f"/proc/self/fd/{fd}")
    warc = path.endswith(".warc.gz")
    if warc and loaded:
        Path(marker).write_text(path)
        time.sleep(600)  # killed here: the group is written, not synced
    size = os.fstat(fd).st_size  # what this sync makes durable (writes may go on meanwhile)
    real_fsync(fd)
    if warc:
        with open(log, "a") as fh:
            fh.write(f"{path}\\t{size}\\n")

os.fsync = fsync
batch_writes.load_captures = load_captures
pipeline.crawl(base, data_dir=data, observed_at=datetime.fromisoformat(sys.argv[5]),
               rate=0, concurrency=3, batch_size=8, write_rows=8, parse_processes=0)
"""


def _crash(base_url: str, data: Path, tmp: Path) -> Path:
    """Run the child crawl until it blocks in a WARC fsync, kill -9 it; the sync log."""
    log, marker = tmp / "synced.tsv", tmp / "stuck"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, base_url, str(data), str(log), str(marker),
         NIGHT.isoformat()], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    return log


def _lose_unsynced(archive: Path, log: Path) -> dict[str, int]:
    """Cut every WARC back to its last synced size; the durable sizes by file name."""
    durable: dict[str, int] = {}
    for line in log.read_text().splitlines():
        name, size = line.split("\t")
        durable[Path(name).name] = int(size)
    cut = 0
    for warc in archive.glob("*.warc.gz"):
        keep = durable.get(warc.name, 0)
        cut += warc.stat().st_size - keep
        os.truncate(warc, keep)
    assert cut > 0, "the kill did not land between a group's writes and its fsync"
    return durable


def _assert_points_at_durable(data: Path, durable: dict[str, int], path: str | None,
                              offset: int | None, length: int | None) -> None:
    """A row's WARC location lies in the synced prefix and reads back whole."""
    assert path is not None and offset is not None and length is not None
    assert offset + length <= durable[Path(path).name], (path, offset, length)
    read_payload_at(data / path, offset)  # raises if no whole record starts there


def test_kill_between_write_and_fsync_leaves_nothing_claimed_that_is_gone(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None) as r:
        pages = {r.url(p) for p in r.catalog.paths()}
        log = _crash(r.base_url, data, tmp_path)
        durable = _lose_unsynced(settings.archive_dir(data), log)

        con = connect(settings.db_path(data))
        (run_id,) = con.execute("SELECT run_id FROM crawl_run").fetchall()[0]
        rows = con.execute("SELECT warc_path, warc_offset, warc_length FROM crawl_fetch "
                           "WHERE warc_path IS NOT NULL").fetchall()
        captures = con.execute("SELECT warc_path, warc_offset, warc_length FROM capture"
                               ).fetchall()
        con.close()
        assert captures, "the kill was meant to land after a batch was loaded"
        journal = read_journal(journal_path(data, run_id))
        assert len(journal) >= len(captures)
        for row in journal.values():
            if row.get("warc_path"):
                _assert_points_at_durable(data, durable, row["warc_path"],
                                          row["warc_offset"], row["warc_length"])
        for path, offset, length in [*rows, *captures]:
            _assert_points_at_durable(data, durable, path, offset, length)

        summary = crawl(r.base_url, data_dir=str(data), **KW)

    assert summary["starts"] == 2 and summary["status"] == "finished"
    assert summary["counts"]["new_pages"] == len(pages)
    con = connect(settings.db_path(data))
    n, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM capture").fetchall()[0]
    locations = con.execute("SELECT warc_path, warc_offset, payload_digest FROM capture"
                            ).fetchall()
    con.close()
    assert n == distinct == len(pages)
    digests = {}
    for path in sorted(settings.archive_dir(data).glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests="raise")
            for rec in it:
                rec.content_stream().read()
                digests[(path.name, it.get_record_offset())] = rec.rec_headers.get_header(
                    "WARC-Payload-Digest")
    for warc_path, offset, digest in locations:
        assert digests[(Path(warc_path).name, offset)] == digest
