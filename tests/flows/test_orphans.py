"""A crawl process killed with SIGKILL leaves none of its parse workers, nor their
forkserver, behind (real processes, a real kill -9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Starts the parse pool the way a crawl does, parses one batch, reports the pids, waits.
SCRIPT = """
import json, multiprocessing.forkserver as fs, sys, time
from flows.executors import ThreadExecutor
ex = ThreadExecutor(parse_processes=2)
ex.submit("parse", items=[], parser_version="test").result()
workers = list(ex._procs._processes)
print(json.dumps({"workers": workers, "forkserver": fs._forkserver._forkserver_pid}), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_workers_and_forkserver_exit_when_the_crawl_is_killed() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    pids = json.loads(proc.stdout.readline())
    left = [*pids["workers"], pids["forkserver"]]
    assert len(left) >= 2 and all(_alive(pid) for pid in left)  # a worker + the forkserver
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 60  # generous: only to end the test if they never exit
    while any(_alive(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in left if _alive(pid)]
