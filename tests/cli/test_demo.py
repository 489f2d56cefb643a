"""`verdicts demo`, the main job: real replica, real Prefect flows, real WARCs and DuckDB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _demo(data: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--data-dir", str(data), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_demo_crawls_nights_and_leaves_a_warehouse_and_warcs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = _demo(data, tmp_path / "prefect", "--nights", "3")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Crawled 3 nights" in done.stdout
    assert "Trend query" in done.stdout

    con = duckdb.connect(str(data / "verdicts.duckdb"), read_only=True)
    try:
        nights = con.execute(
            "SELECT count(DISTINCT observed_at), count(*) FROM crawl_run WHERE status = 'finished'"
        ).fetchall()[0]
        captures, pages = con.execute(
            "SELECT count(*), count(DISTINCT url) FROM capture"
        ).fetchall()[0]
        with_vendor = con.execute(
            "SELECT avg((vendor IS NOT NULL)::INT) FROM latest_tool_verdicts"
        ).fetchall()[0][0]
    finally:
        con.close()
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
