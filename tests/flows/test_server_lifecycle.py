"""The temporary Prefect server dies with its `verdicts crawl` (issue 11), and whatever a
SIGKILLed crawl leaves behind is reclaimed by the next run.

Real parts: a real `verdicts crawl` process with its real Prefect temporary server
(uvicorn), a slow real replica on loopback, a real ``kill -9``, real DuckDB.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from flows import settings
from flows.lock import LOCK_FILENAME
from replica import Replica
from warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

NIGHT = "2025-06-02T03:00Z"


def wait_for(what: str, check: Callable[[], object], timeout: float) -> object:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`
    (generous: only there so a broken build cannot hang the suite)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:.0f} s")


def server_child(crawl: psutil.Process) -> psutil.Process | None:
    """The crawl's temporary Prefect server (uvicorn serving Prefect's app), once it runs."""
    try:
        children = crawl.children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    for child in children:
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if "uvicorn" in cmd and "prefect.server.api.server:create_app" in cmd:
            return child
    return None


def gone(proc: psutil.Process) -> bool:
    """Exited (a zombie waiting for its new parent to reap it counts as exited)."""
    try:
        return bool(proc.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def page_requests(r: Replica) -> int:
    return sum(1 for e in r.requests if "/compare/" in e.path)


def test_sigkilled_crawl_takes_its_server_along_and_the_next_run_reclaims_the_rest(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    env.pop("PREFECT_API_URL", None)
    with Replica(day=0, scale=200, crawl_delay=None) as r:
        # 200 pages at 2 requests/s: the crawl is still running when it is killed
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", r.base_url, "--data-dir", str(data),
             "--rate", "2", "--observed-at", NIGHT],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            crawl = psutil.Process(proc.pid)
            server = wait_for("the crawl's Prefect server started",
                              lambda: server_child(crawl), 240)
            assert isinstance(server, psutil.Process)
            wait_for("the flow fetching pages", lambda: page_requests(r) >= 2, 240)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            _, stderr = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, stderr
        wait_for(f"server pid {server.pid} exited after its crawl was killed",
                 lambda: gone(server), 60)
        assert (data / LOCK_FILENAME).exists()
        assert json.loads((data / LOCK_FILENAME).read_text())["pid"] == proc.pid
        # what a crawl killed while publishing its snapshot leaves: the temp copy
        stale = data / f".verdicts.snapshot.duckdb.{proc.pid}.tmp"
        stale.write_bytes(b"half a snapshot")
        again = subprocess.run(
            [sys.executable, "-m", "cli", "crawl", r.base_url, "--data-dir", str(data),
             "--rate", "0", "--observed-at", NIGHT, "--no-prefect", "--json"],
            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert not list(data.glob(".*.tmp"))
    holder = json.loads((data / LOCK_FILENAME).read_text())
    assert holder["pid"] not in (proc.pid, os.getpid())
    con = connect(settings.db_path(data))
    try:
        rows = con.execute("SELECT status, finished_at IS NOT NULL FROM crawl_run").fetchall()
        pages = con.execute("SELECT count(DISTINCT url) FROM capture").fetchall()[0][0]
    finally:
        con.close()
    assert rows == [("finished", True)]  # the killed night resumed and finished
    assert pages == 200
