"""`verdicts demo`, the main job: real replica, real Prefect flows, real WARCs and DuckDB."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from replica import free_port
from warehouse.snapshot import open_readonly

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


#: One replica port for this module's demos (the default, 8734, may be in use here).
PORT = free_port()


def _demo(data: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home))  # the demo's own defaults: quiet, telemetry off
    return subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--data-dir", str(data), "--port", str(PORT),
         *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def _urls(data: Path, night: str | None = None) -> set[str]:
    con = open_readonly(data)
    try:
        where = f"WHERE observed_at = TIMESTAMPTZ '{night}'" if night else ""
        return {r[0] for r in con.execute(f"SELECT url FROM captures {where}").fetchall()}
    finally:
        con.close()


def test_demo_crawls_nights_and_leaves_a_warehouse_and_warcs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = _demo(data, tmp_path / "prefect", "--nights", "3")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Crawled 3 nights" in done.stdout
    assert "Trend query" in done.stdout
    # quiet: no Prefect INFO lines, no traceback; 14 nights print 11 more night lines
    # than these 3, and `make demo` must stay within 40 lines
    output = (done.stdout + done.stderr).splitlines()
    assert not [line for line in output if "INFO" in line or "Finished in state" in line
                or "Traceback" in line]
    assert len(output) + 11 <= 40, output
    assert f"replica of shiporskip.io serving on http://127.0.0.1:{PORT}" in done.stderr

    # another demo on the same port records the same pages under the same URLs, and -v
    # shows Prefect's run logs
    again = tmp_path / "again"
    verbose = _demo(again, tmp_path / "prefect", "--nights", "1", "-v")
    assert verbose.returncode == 0, verbose.stderr[-3000:]
    assert "Finished in state Completed()" in verbose.stderr
    first_night = _urls(data, "2026-11-01 03:00:00+00")
    assert first_night and _urls(again, "2026-11-01 03:00:00+00") == first_night
    assert all(url.startswith(f"http://127.0.0.1:{PORT}/") for url in first_night)

    con = open_readonly(data)  # the analysts' read-only snapshot
    try:
        nights = con.execute(
            "SELECT count(DISTINCT observed_at), count(*) FROM internal.crawl_run "
            "WHERE status = 'finished'"
        ).fetchall()[0]
        captures, pages = con.execute(
            "SELECT count(*), count(DISTINCT url) FROM captures"
        ).fetchall()[0]
        with_vendor = con.execute(
            "SELECT avg((vendor IS NOT NULL)::INT) FROM latest_tool_verdicts"
        ).fetchall()[0][0]
        # the backfill: captures from the local wayback, dated in the 30 days before night 1
        backfilled = con.execute(
            "SELECT count(*), min(observed_at), max(observed_at) FROM internal.capture "
            "WHERE source = 'wayback'").fetchall()[0]
        wrong_source = con.execute(
            "SELECT count(*) FROM internal.capture WHERE (source = 'wayback') <> "
            "(observed_at < TIMESTAMPTZ '2026-11-01 03:00:00+00')").fetchall()[0][0]
        history_from = con.execute("SELECT min(valid_from) FROM tool_history").fetchall()[0][0]
    finally:
        con.close()
    first = datetime(2026, 11, 1, 3, tzinfo=UTC)
    assert backfilled[0] > 0 and wrong_source == 0
    assert first - timedelta(days=30) <= backfilled[1] < first - timedelta(days=28)
    assert backfilled[2] < first
    assert history_from <= first - timedelta(days=28)  # tool_history reaches back ~30 days
    assert nights == (3, 3)  # one finished run per simulated night, each its own observed_at
    assert pages >= 300 and captures > pages  # later nights re-capture changed pages
    assert f"{pages} comparison pages" in done.stdout
    assert with_vendor >= 0.9

    warcs = sorted((data / "archive").glob("*.warc.gz"))
    assert warcs
    records = 0
    for path in warcs:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                record.content_stream().read()  # digests are checked as the payload is read
                records += 1
    assert records > captures


def test_demo_refuses_a_data_dir_it_did_not_make(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "precious.txt").write_text("not the demo's")
    done = _demo(data, tmp_path / "prefect")
    assert done.returncode == 2
    assert "did not make" in done.stderr and str(data) in done.stderr
    assert (data / "precious.txt").exists()


def test_demo_says_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "cli", "demo", "--data-dir", str(tmp_path / "d"),
             "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"verdicts demo: cannot serve the replica on 127.0.0.1:{port} ")
    assert line.endswith("pass --port to use another port")
