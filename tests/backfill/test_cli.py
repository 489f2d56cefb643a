"""`verdicts backfill` end to end: the real Prefect flow in a subprocess, killed with
SIGKILL midway and resumed (no duplicate captures or WARC records, everything present);
the exit statuses of a run that did not do its job; bad options."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from backfill_support import check_truth, in_window, odd_day
from wayback_support import WaybackSite

from archive import iter_records
from backfill import backfill_warcs, ledger_path, read_ledger
from cli._main import main
from replica import CaptureKind, FaultProxy, free_port
from warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "backfill", *args]


def _run(args: list[str], timeout: float = 400) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _ledger_lines(data: Path) -> int:
    try:
        return len(ledger_path(data).read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return 0


def _records_by_source(data: Path) -> Counter[str]:
    seen: Counter[str] = Counter()
    for path in backfill_warcs(data / "archive"):
        for record, _, _, _ in iter_records(path):
            uri = record.rec_headers.get_header("WARC-Source-URI")
            if uri:
                seen[uri] += 1
    return seen


@pytest.mark.slow
def test_kill_9_then_resume(local_wayback: WaybackSite, tmp_path: Path) -> None:
    site = local_wayback
    day = odd_day(site)
    since = day - timedelta(days=2)
    data = tmp_path / "data"
    args = ["--source", site.wayback.cdx_url, "--site", site.replica_base, "--from",
            since.isoformat(), "--to", day.isoformat(), "--data-dir", str(data),
            "--batch-size", "10"]
    proc = subprocess.Popen(_cmd(*args, "--rate", "4"), cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while _ledger_lines(data) < 15 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the backfill ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its Prefect server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = _ledger_lines(data)
    window = in_window(site, since, day)
    assert 15 <= done_before < len(window)

    resumed = _run(_cmd(*args, "--rate", "200"))
    assert resumed.returncode == 0, resumed.stderr
    assert "failed 1 " in resumed.stdout and "digest_mismatch: 1" in resumed.stdout
    settled = read_ledger(ledger_path(data))
    assert len(settled) == len(window)  # every listed capture settled once
    per_source = _records_by_source(data)
    assert set(per_source.values()) == {1}, "a memento archived twice"
    assert len(per_source) == len(window)  # each memento: one record (the soft-404 too)
    comparisons = [c for c in window if c.kind == CaptureKind.COMPARISON]
    check_truth(data, site, comparisons, "wayback")
    con = connect(data / "verdicts.duckdb")
    try:
        dupes = con.execute("SELECT count(*) - count(DISTINCT (url, observed_at)) "
                            "FROM internal.capture").fetchone()
    finally:
        con.close()
    assert dupes == (0,)

    again = _run(_cmd(*args, "--rate", "200"))
    assert again.returncode == 0, again.stderr
    assert "fetched 0 / archived 0 / revisits 0 / failed 0 / loaded 0" in again.stdout
    assert _records_by_source(data) == per_source


@pytest.mark.slow
def test_nothing_fetched_or_cdx_unreachable_fail(local_wayback: WaybackSite,
                                                  tmp_path: Path) -> None:
    site = local_wayback
    day = odd_day(site).isoformat()
    with FaultProxy(site.wayback.base, first=10_000, only="id_/", retry_after=1) as proxy:
        res = _run(_cmd("--source", f"{proxy.base}/replica/cdx", "--site", site.replica_base,
                        "--from", day, "--to", day, "--max-captures", "2", "--rate", "200",
                        "--data-dir", str(tmp_path / "a")))
    assert res.returncode == 1
    assert "captures found" in res.stdout and "fetched 0" in res.stdout
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("verdicts backfill: failed: 2 capture(s) listed and none fetched")
    assert "Traceback" not in res.stderr

    closed = f"http://127.0.0.1:{free_port()}/replica/cdx"
    res = _run(_cmd("--source", closed, "--site", site.replica_base, "--rate", "200",
                    "--data-dir", str(tmp_path / "b")))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1].startswith(
        "verdicts backfill: failed: the CDX server did not answer")
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-02-01", "--to", "2025-01-01"], "--from 2025-02-01 is after --to"),
    (["--source", "ftp://example.org/cdx"], "--source: expected wayback, commoncrawl"),
    (["--source", "https://example.org/search"], "--source: not a Wayback CDX endpoint"),
    (["--crawl", "CC-MAIN-2025-01"], "--crawl: only with --source commoncrawl"),
])
def test_bad_options_exit_2(args: list[str], message: str, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backfill", *args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"verdicts backfill: {message}") and "\n" not in err
