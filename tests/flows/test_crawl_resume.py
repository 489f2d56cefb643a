"""Kill -9 a crawl mid-run (twice), run it again: it resumes the same run, fetches no
archived page again, leaves no duplicate rows, and every WARC reads back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from flows import settings
from replica import Replica
from warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

REPO = Path(__file__).resolve().parents[2]
CONCURRENCY = 2


def crawl_cmd(base_url: str, data: Path) -> list[str]:
    return [sys.executable, "-m", "cli", "crawl", base_url, "--no-prefect", "--json",
            "--rate", "40", "--concurrency", str(CONCURRENCY), "--batch-size", "10",
            "--data-dir", str(data), "--observed-at", "2025-06-02T03:00:00Z"]


def page_requests(r: Replica) -> list:
    return [e for e in list(r.requests) if e.path.startswith("/compare/")]


def test_sigkill_and_resume(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO), "VERDICTS_DATA_DIR": str(data)}
    kills: list[int] = []  # number of page requests logged when each kill landed
    with Replica(day=0, scale=70, crawl_delay=None) as r:
        pages = {p for p in r.catalog.paths()}
        for kill_after in (10, 35):
            proc = subprocess.Popen(crawl_cmd(r.base_url, data), cwd=REPO, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 60
            while len(page_requests(r)) < kill_after:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the crawl never got going"
                time.sleep(0.002)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc.stderr:
                proc.stderr.close()
            time.sleep(0.1)  # let the server log the request in flight, if any
            kills.append(len(page_requests(r)))
        done = subprocess.run(crawl_cmd(r.base_url, data), cwd=REPO, env=env,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        summary = json.loads(done.stdout)
        time.sleep(0.1)
        log = page_requests(r)

    # one run, resumed twice, finished with every page captured once
    assert summary["starts"] == 3 and summary["status"] == "finished"
    assert summary["counts"]["new_pages"] == len(pages)

    # no page fetched twice, except one in flight at the moment of a kill (not archived)
    counts = Counter(e.path for e in log)
    assert set(counts) == pages
    repeated = {p for p, n in counts.items() if n > 1}
    assert len(repeated) <= CONCURRENCY * len(kills), repeated
    for path in repeated:
        first = next(i for i, e in enumerate(log) if e.path == path)
        assert any(k - CONCURRENCY <= first < k for k in kills), (path, first, kills)

    # no duplicate rows
    con = connect(settings.db_path(data))
    (runs,) = con.execute("SELECT count(*) FROM crawl_run").fetchall()[0]
    assert runs == 1
    n, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM capture").fetchall()[0]
    assert n == distinct == len(pages)
    assert con.execute("SELECT count(*) FROM crawl_fetch WHERE kind = 'page' "
                       "AND outcome = 'fetched'").fetchall()[0][0] == len(pages)
    locations = con.execute("SELECT warc_path, warc_offset, payload_digest FROM capture"
                            ).fetchall()
    con.close()

    # every WARC reads back whole with valid digests; every capture points at its record
    records = {}
    files = sorted((data / "archive").glob("*.warc.gz"))
    assert len(files) == 3  # one per start of the run
    for path in files:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests="raise")
            for rec in it:
                rec.content_stream().read()
                records[(path.name, it.get_record_offset())] = rec.rec_headers.get_header(
                    "WARC-Payload-Digest")
    for warc_path, offset, digest in locations:
        assert records[(Path(warc_path).name, offset)] == digest
