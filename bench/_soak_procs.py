"""The soak's processes: one Prefect server, the replica (per fault phase, one port), and
one `verdicts crawl` child per night attempt, SIGKILLed at a chosen moment."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench._soak_model import KillKind, night_time
from replica import Replica, RequestLogEntry, free_port

REPO = Path(__file__).resolve().parents[1]
SERVER_START_S = 240
#: The global concurrency limit every crawl holds (flows.writer_limit.WRITER_LIMIT).
WRITER_LIMIT = "verdict-archive-writer"


def child_env(home: Path, api: str) -> dict[str, str]:
    """A child's environment: its own Prefect home, telemetry off, the soak's server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_API_URL=api, PYTHONPATH=str(REPO),
               PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING")
    return env


def stop_group(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    """Stop a child started in its own session (and what it started): `sig` to its process
    group, SIGKILL if it has not ended in 30 s, then SIGKILL to any grandchildren left.
    The soak's children and tests/flows/test_schedule_server.py's all stop through here."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):  # grandchildren left behind
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def prefect_server(work: Path) -> Iterator[str]:
    """`prefect server start` on a free loopback port for the whole soak; its API URL.
    Stopped on the way out, error or not."""
    home = work / "prefect-server"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "server.log"
    env = child_env(home, "")
    del env["PREFECT_API_URL"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
             "127.0.0.1", "--port", str(port), "--no-ui", "--analytics-off"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(api, proc, log)
        _roomy_writer_limit(api)
        yield api
    finally:
        stop_group(proc)


def _wait_healthy(api: str, proc: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api}/health", timeout=5).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"prefect server: no /api/health in {SERVER_START_S} s")
        time.sleep(0.5)


def _roomy_writer_limit(api: str) -> None:
    """Make the writer limit before any crawl does, with many slots: a kill -9'd crawl
    keeps its slot until the lease (300 s) runs out, and the soak runs one crawl at a time
    anyway (the data dir's flock keeps writers apart)."""
    body = {"name": WRITER_LIMIT, "limit": 1000}
    httpx.post(f"{api}/v2/concurrency_limits/", json=body, timeout=30).raise_for_status()


class Site:
    """The replica on one fixed loopback port, restarted with new fault profiles."""

    def __init__(self, scale: int, seed: int, fault_rate: float, steady: bool = False) -> None:
        self.scale, self.seed, self.fault_rate, self.steady = scale, seed, fault_rate, steady
        self.port = free_port()
        self.faults = ""
        self.replica = self._make(0, "")

    def _make(self, day: int, faults: str) -> Replica:
        return Replica(day=day, faults=faults or None, seed=self.seed, scale=self.scale,
                       port=self.port, crawl_delay=None, slow_delay=1.0,
                       fault_rate=self.fault_rate if faults else None, steady=self.steady)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, day: int, faults: str) -> None:
        """Serve `day` with `faults` (a new replica on the same port when they change)."""
        if faults != self.faults:
            self.replica.stop()
            self.replica = self._make(day, faults)
            self.faults = faults
        self.replica.set_day(day)
        self.replica.start()
        server = getattr(self.replica, "_server", None)
        if server is not None:  # a client killed mid-request is the point, not news
            server.handle_error = lambda *_: None

    def stop(self) -> None:
        self.replica.stop()

    def take_log(self, quiet: float = 0.15) -> list[RequestLogEntry]:
        """The night's request log once the server has logged everything; cleared."""
        n, since = -1, time.monotonic()
        while time.monotonic() - since < quiet:
            if len(self.replica.requests) != n:
                n, since = len(self.replica.requests), time.monotonic()
            time.sleep(0.02)
        log = list(self.replica.requests)
        self.replica.clear_log()
        return log


@dataclass
class Attempt:
    """One child run of a night."""

    exit_code: int
    wall_s: float
    killed: KillKind | None
    stderr: str
    run_s: float | None = None  # the run's own time (its --json line's elapsed_s)
    stage_s: dict[str, float] = field(default_factory=dict)  # and its stage_s


@dataclass
class Trigger:
    """When to SIGKILL the child."""

    kind: KillKind
    amount: float  # page requests (FETCH), bytes (WARC) or seconds after the WAL (LOAD)


def make_trigger(rng: random.Random, kind: KillKind, pages: int, warc_bytes: int) -> Trigger:
    """A random moment of `kind`, scaled by what the previous night did."""
    if kind is KillKind.FETCH:
        return Trigger(kind, rng.randint(1, max(1, pages)))
    if kind is KillKind.WARC:
        return Trigger(kind, rng.randint(1, max(1, warc_bytes)))
    return Trigger(kind, rng.uniform(0.0, 0.3))


def crawl_cmd(base_url: str, data: Path, night: int) -> list[str]:
    return [sys.executable, "-m", "cli", "crawl", base_url, "--data-dir", str(data),
            "--observed-at", night_time(night).isoformat(), "--rate", "0",
            "--concurrency", "4", "--json"]


class Watch:
    """Fires a trigger by watching the replica's log, the archive and the WAL."""

    def __init__(self, site: Site, data: Path, trigger: Trigger) -> None:
        self.site, self.data, self.trigger = site, data, trigger
        self.log_from = len(site.replica.requests)
        self.archive0 = archive_bytes(data)
        self.started = time.time()
        self.wal_seen: float | None = None

    def pages(self) -> int:
        log = self.site.replica.requests
        return sum(1 for e in log[self.log_from:] if e.path.startswith("/compare/"))

    def fired(self) -> bool:
        t = self.trigger
        if t.kind is KillKind.FETCH:
            return self.pages() >= t.amount
        if t.kind is KillKind.WARC:
            return archive_bytes(self.data) - self.archive0 >= t.amount
        if self.wal_seen is None:
            wal = self.data / "verdicts.duckdb.wal"
            with contextlib.suppress(OSError):
                if wal.stat().st_mtime > self.started and self.pages() > 0:
                    self.wal_seen = time.monotonic()
            return False
        return time.monotonic() - self.wal_seen >= t.amount


def archive_bytes(data: Path) -> int:
    total = 0
    for p in (data / "archive").glob("*.warc.gz"):
        with contextlib.suppress(OSError):
            total += p.stat().st_size
    return total


def run_attempt(cmd: list[str], env: dict[str, str], watch: Watch | None, errlog: Path,
                timeout: float = 1800) -> Attempt:
    """Run one child to its end, or SIGKILL its process group when `watch` fires."""
    started = time.monotonic()
    outlog = errlog.with_suffix(".stdout")
    with open(outlog, "wb") as outfh, open(errlog, "wb") as errfh:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=outfh, stderr=errfh,
                                start_new_session=True)
    killed: KillKind | None = None
    try:
        while proc.poll() is None:
            if watch is not None and watch.fired():
                os.killpg(proc.pid, signal.SIGKILL)
                killed = watch.trigger.kind
                break
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"a night ran over {timeout:.0f} s: {' '.join(cmd)}")
            time.sleep(0.005)
        proc.wait()
    finally:
        stop_group(proc, signal.SIGKILL)
    tail = errlog.read_text(errors="replace")[-2000:]
    attempt = Attempt(proc.returncode, time.monotonic() - started, killed, tail)
    if killed is None:
        attempt.run_s, attempt.stage_s = _run_times(outlog)
    return attempt


def _run_times(outlog: Path) -> tuple[float | None, dict[str, float]]:
    """The `elapsed_s` of the child's --json summary (from its run's start to its summary,
    the publish included: what the night cost without the process and Prefect around it)
    and its `stage_s` (where that time went: flows.progress.Stage)."""
    try:
        summary = json.loads(outlog.read_text(errors="replace"))
        value, stages = summary.get("elapsed_s"), summary.get("stage_s") or {}
    except (OSError, ValueError, AttributeError):
        return None, {}
    return (float(value) if isinstance(value, int | float) else None,
            {str(k): float(v) for k, v in stages.items() if isinstance(v, int | float)})
