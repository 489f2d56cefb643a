"""One writer at a time (issue 9): the data dir's writer lock, held by real processes.

A crawl holds it; a second writer (`verdicts import`, `verdicts reparse`, another
`verdicts crawl`) gets one line naming the holder and exit 2, or waits with --wait; an
analyst's read-only session on the snapshot breaks nothing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows import pipeline
from flows.lock import LockHeld, read_holder, writer_lock
from flows.pipeline import crawl
from replica import Replica

pytestmark = pytest.mark.timeout(240)

VERDICTS = str(Path(sys.executable).with_name("verdicts"))
HOLDER = re.compile(r"is in use by `verdicts (\w+)` \(pid (\d+), since "
                    r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$")


def hold_in_subprocess(data: Path, command: str) -> subprocess.Popen[str]:
    """Another process holding the lock until killed (prints 'held' once it has it)."""
    code = ("import sys, time; from pathlib import Path; from flows.lock import writer_lock\n"
            f"with writer_lock(Path({str(data)!r}), {command!r}):\n"
            "    print('held', flush=True); time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_names_its_holder_and_dies_with_it(tmp_path: Path) -> None:
    proc = hold_in_subprocess(tmp_path, "crawl")
    try:
        with pytest.raises(LockHeld) as held, writer_lock(tmp_path, "import"):
            pass
        m = HOLDER.search(str(held.value))
        assert m and m.group(1) == "crawl" and int(m.group(2)) == proc.pid
        assert "\n" not in str(held.value)
        t0 = time.monotonic()
        with pytest.raises(LockHeld), writer_lock(tmp_path, "import", wait=0.5):
            pass
        assert time.monotonic() - t0 >= 0.5  # it waited before giving up
    finally:
        proc.send_signal(signal.SIGKILL)  # kill -9: the kernel releases the flock
        proc.communicate()
    with writer_lock(tmp_path, "import") as me:
        assert me.pid == os.getpid() and read_holder(tmp_path) == me
        with writer_lock(tmp_path, "crawl"):  # re-entrant within one process
            pass


def test_wait_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    proc = hold_in_subprocess(tmp_path, "reparse")
    threading.Timer(0.5, proc.kill).start()
    with writer_lock(tmp_path, "crawl", wait=60):
        assert read_holder(tmp_path).command == "crawl"  # type: ignore[union-attr]
    proc.communicate()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VERDICTS, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_second_writers_and_a_reader_during_a_crawl(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    page = tmp_path / "page.html"
    page.write_text("<html><body>a page to import</body></html>")
    night = datetime(2025, 6, 2, 3, tzinfo=UTC)
    with Replica(day=0, scale=30, crawl_delay=None) as r:
        crawl(r.base_url, data_dir=str(data), observed_at=night, rate=50.0, parse_processes=0)
        # an analyst keeps a read-only session open on the snapshot the whole time
        reader = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, time; from warehouse.snapshot import open_readonly\n"
             f"con = open_readonly({str(data)!r})\n"
             "print(con.execute('SELECT count(*) FROM captures').fetchall()[0][0], flush=True)\n"
             "time.sleep(600)\n"], stdout=subprocess.PIPE, text=True)
        assert reader.stdout is not None and int(reader.stdout.readline()) > 0
        r.set_day(3)  # something to fetch: a slow (2 requests/s) night in the background,
        # held after its plan (the lock taken, pages due) until the second writers have
        # tried, so that a busy machine cannot let it end before they start
        result: dict = {}
        tried = threading.Event()
        plan = pipeline._plan

        def plan_then_wait(run: Any, found: Any) -> Any:
            frontier = plan(run, found)
            tried.wait(300)
            return frontier

        monkeypatch.setattr(pipeline, "_plan", plan_then_wait)

        def night2() -> None:
            try:
                result["summary"] = crawl(r.base_url, data_dir=str(data), rate=2.0,
                                          observed_at=night + timedelta(days=3),
                                          recheck_days=1, parse_processes=0)
            except BaseException as exc:  # noqa: BLE001 - reported by the assert below
                result["error"] = exc

        t = threading.Thread(target=night2)
        t.start()
        try:
            while True:  # until this process's crawl holds the lock (read once a turn: it moves)
                holder = read_holder(data)
                if (holder is not None and holder.pid == os.getpid()
                        and (data / "crawl").is_dir()):
                    break
                assert t.is_alive(), result
                time.sleep(0.05)
            procs = {
                "import": cli("import", str(page), "--data-dir", str(data)),
                "reparse": cli("reparse", "--no-prefect", "--data-dir", str(data)),
                "crawl": cli("crawl", r.base_url, "--no-prefect", "--data-dir", str(data)),
            }
            crawling = t.is_alive()
        finally:  # the night goes on (and ends) whatever happened here
            tried.set()
            t.join()
    reader.kill()
    reader.communicate()
    assert crawling, "the crawl ended before the second writers tried"
    for command, proc in procs.items():
        assert proc.returncode == 2, (command, proc.stderr)
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith(f"verdicts {command}: the data dir {data.resolve()} is in use")
        m = HOLDER.search(line)
        assert m and m.group(1) == "crawl" and int(m.group(2)) == os.getpid(), line
    assert "error" not in result, result
    s = result["summary"]
    assert s["status"] == "finished" and s["counts"]["not_modified"] + s["counts"]["fetched"] > 0
