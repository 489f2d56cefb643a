"""Scheduled crawls against a real `prefect server start` on loopback, no stub: `verdicts
schedule` serving a cron deployment, and prefect.yaml deployed and run by a process worker.

One server for the module. The replica runs in this process; the crawls run in the
scheduler's or the worker's own processes and leave their warehouse in a tmp data dir,
read back through the read-only snapshot and checked against the replica's catalog.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench._soak_procs import stop_group
from replica import Replica, free_port
from warehouse.snapshot import open_readonly

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: Generous bounds for a busy 2-core machine (each is a deadline, never a speed check).
SERVER_START_S = 240
FIRST_RUN_S = 240
WORKER_RUN_S = 300


def _env(home: Path, api: str | None = None, **extra: str) -> dict[str, str]:
    """A child's environment: its own Prefect home, telemetry off, this server's API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", **extra)
    if api:
        env["PREFECT_API_URL"] = api
    return env


def _log(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server (`prefect server start`) on a free loopback port; its API URL."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    log = home / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
             "--no-ui", "--analytics-off"],
            env=_env(home), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            assert proc.poll() is None, f"prefect server exited:\n{_log(log)}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api}/health", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"no /api/health in {SERVER_START_S} s"
            time.sleep(0.5)
        yield api
    finally:
        stop_group(proc, signal.SIGTERM)


#: Every state type but SCHEDULED (a cron deployment has dozens of future runs).
STARTED = ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLING", "CANCELLED",
           "PAUSED"]


def _flow_runs(api: str, deployment: str) -> list[dict[str, Any]]:
    """The runs of `deployment` that left SCHEDULED, earliest first."""
    body = {"deployments": {"name": {"any_": [deployment]}},
            "flow_runs": {"state": {"type": {"any_": STARTED}}},
            "sort": "EXPECTED_START_TIME_ASC", "limit": 50}
    response = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=30)
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()
    return runs


def _wait_for_run(api: str, deployment: str, state: str, seconds: float,
                  alive: subprocess.Popen[Any], log: Path) -> dict[str, Any]:
    """The first flow run of `deployment` in state type `state`; fails at once on a run
    that ended otherwise (with its message), or if `alive` exits."""
    deadline = time.monotonic() + seconds
    while True:
        runs = _flow_runs(api, deployment)
        for run in runs:
            kind = run["state"]["type"]
            if kind == state:
                return run
            assert kind not in ("FAILED", "CRASHED", "CANCELLED") or state != "COMPLETED", (
                f"run {run['name']} ended {kind}: {run['state']['message']}\n{_log(log)}")
        assert alive.poll() is None or state == "COMPLETED" and alive.returncode == 0, (
            f"{alive.args[:3]} exited {alive.returncode}:\n{_log(log)}")
        assert time.monotonic() < deadline, (
            f"no {state} run of {deployment} in {seconds} s: "
            f"{[(r['name'], r['state']['type']) for r in runs]}\n{_log(log)}")
        time.sleep(2)


def _pages_in_snapshot(data: Path) -> set[str]:
    con = open_readonly(data)
    try:
        return {row[0] for row in con.execute("SELECT DISTINCT url FROM captures").fetchall()}
    finally:
        con.close()


def test_verdicts_schedule_runs_a_scheduled_crawl_to_completed(
    prefect_api: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    log = tmp_path / "schedule.log"
    with Replica(day=0, scale=10, crawl_delay=None) as site, open(log, "wb") as out:
        expected = {site.base_url + path for path in site.catalog.paths()}
        proc = subprocess.Popen(
            [str(BIN / "verdicts"), "schedule", site.base_url, "--cron", "* * * * *",
             "--name", "every-minute", "--rate", "50", "--data-dir", str(data)],
            cwd=tmp_path, env=_env(tmp_path / "client", prefect_api),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            run = _wait_for_run(prefect_api, "every-minute", "COMPLETED", FIRST_RUN_S, proc, log)
        finally:
            stop_group(proc, signal.SIGINT)  # Ctrl-C: the runner pauses the schedule and stops
    assert run["parameters"]["base_url"] == site.base_url
    assert run["auto_scheduled"] is True  # made by the server's scheduler, not by hand
    assert _pages_in_snapshot(data) == expected


def _prefect(api: str, home: Path, *args: str) -> str:
    done = subprocess.run([str(BIN / "prefect"), *args], cwd=ROOT, env=_env(home, api),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


#: Holds the writer slot on the server until a line comes on stdin (its own process: this
#: process's Prefect services stay bound to the session's other servers).
HOLD_SLOT = """\
import sys
from flows.writer_limit import writer_slot
with writer_slot():
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextlib.contextmanager
def _writer_slot_held(api: str, home: Path) -> Iterator[None]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_SLOT], cwd=ROOT, env=_env(home, api),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=120) == 0
    finally:
        stop_group(holder, signal.SIGTERM)
        for pipe in (holder.stdin, holder.stdout):
            if pipe is not None:
                pipe.close()


def test_prefect_yaml_deployment_runs_on_a_process_worker_one_writer_at_a_time(
    prefect_api: str, tmp_path: Path
) -> None:
    home, data, log = tmp_path / "client", tmp_path / "data", tmp_path / "worker.log"
    _prefect(prefect_api, home, "work-pool", "create", "verdicts", "--type", "process")
    _prefect(prefect_api, home, "deploy", "--no-prompt", "--name", "nightly")
    with Replica(day=0, scale=10, crawl_delay=None) as site:
        expected = {site.base_url + path for path in site.catalog.paths()}
        params = json.dumps({"base_url": site.base_url, "rate": 50.0, "concurrency": 4})
        _prefect(prefect_api, home, "deployment", "run", "nightly-crawl/nightly",
                 "--params", params)
        with _writer_slot_held(prefect_api, home), open(log, "wb") as out:
            # another writer holds the slot: the worker's crawl starts, then waits for it
            worker = subprocess.Popen(
                [str(BIN / "prefect"), "worker", "start", "--pool", "verdicts", "--type",
                 "process", "--run-once"],
                cwd=tmp_path, env=_env(home, prefect_api, VERDICTS_REPO=str(ROOT),
                                       VERDICTS_DATA_DIR=str(data)),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                _wait_for_run(prefect_api, "nightly", "RUNNING", WORKER_RUN_S, worker, log)
                time.sleep(10)
                (run,) = _flow_runs(prefect_api, "nightly")
                assert run["state"]["type"] == "RUNNING"  # still waiting for the slot
                assert not (data / "verdicts.duckdb").exists()  # and has not written
            except BaseException:
                stop_group(worker, signal.SIGINT)
                raise
        try:  # the slot is free: the crawl goes on to Completed
            run = _wait_for_run(prefect_api, "nightly", "COMPLETED", WORKER_RUN_S, worker, log)
            worker.wait(timeout=WORKER_RUN_S)
        finally:
            stop_group(worker, signal.SIGINT)
    assert run["parameters"]["base_url"] == site.base_url
    assert _pages_in_snapshot(data) == expected
