"""Read while write: analysts read a published snapshot while the crawl writes the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import analytics_fixture as fx
import duckdb
import pytest

from warehouse.db import connect
from warehouse.load import load_captures
from warehouse.snapshot import open_readonly, publish_snapshot, resolve_db, snapshot_path

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    return env


READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from warehouse.snapshot import open_readonly
    data, ready, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    con = open_readonly(data)
    seen = set()
    seen.add(con.execute("SELECT count(*) FROM capture").fetchone()[0])
    ready.write_text("ready")
    deadline = time.time() + 60
    while not stop.exists() and time.time() < deadline:
        con.execute("SELECT * FROM latest_tool_verdicts").fetchall()
        seen.add(con.execute("SELECT count(*) FROM capture").fetchone()[0])
        time.sleep(0.02)
    print(sorted(seen))
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import analytics_fixture as fx
    from warehouse.db import connect
    from warehouse.load import load_captures
    from warehouse.history import refresh_analytics
    from warehouse.snapshot import publish_snapshot
    db = Path(sys.argv[1])
    con = connect(db)
    load_captures(con, fx.records()[5:])
    refresh_analytics(con)
    publish_snapshot(db, con)
    con.close()
    print("published")
    """
)


def _first_half(db: Path) -> None:
    con = connect(db)
    load_captures(con, fx.records()[:5])
    publish_snapshot(db, con)  # refreshes the derived tables first
    con.close()


def test_reader_and_writer_do_not_block_each_other(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = data / "verdicts.duckdb"
    _first_half(db)
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data), str(ready), str(stop)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(300):
            if ready.exists() or reader.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), reader.stderr.read() if reader.stderr else ""
        # the reader holds its snapshot open while a writer process loads and publishes
        writer = subprocess.run(
            [sys.executable, "-c", WRITER, str(db)],
            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert writer.returncode == 0, writer.stderr
        assert writer.stdout.strip() == "published"
        time.sleep(0.2)  # the reader keeps querying its (old) snapshot meanwhile
    finally:
        stop.write_text("stop")
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.strip() == "[5]"  # it kept its consistent snapshot, and never failed

    # a new reader sees the new data
    con = open_readonly(data)
    try:
        assert con.execute("SELECT count(*) FROM capture").fetchone() == (11,)
        assert con.execute("SELECT count(*) FROM latest_tool_verdicts").fetchone() == (5,)
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE x (a INT)")
    finally:
        con.close()


def test_open_readonly_falls_back_to_the_main_file(tmp_path: Path) -> None:
    db = tmp_path / "verdicts.duckdb"
    con = connect(db)
    load_captures(con, fx.records()[:2])
    con.close()
    assert not snapshot_path(db).exists()
    ro = open_readonly(tmp_path)
    try:
        assert ro.execute("SELECT count(*) FROM capture").fetchone() == (2,)
        assert ro.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    finally:
        ro.close()
    with pytest.raises(FileNotFoundError):
        open_readonly(tmp_path / "nowhere")


def test_publish_opens_its_own_connection_and_refreshes(tmp_path: Path) -> None:
    db = tmp_path / "verdicts.duckdb"
    con = connect(db)
    load_captures(con, fx.records())
    con.close()  # loaded, never refreshed
    snap = publish_snapshot(db)
    assert snap == tmp_path / "verdicts.snapshot.duckdb"
    assert resolve_db(snap) == db and resolve_db(tmp_path) == db
    assert not list(tmp_path.glob(".*.tmp"))
    ro = open_readonly(snap)
    try:
        assert ro.execute("SELECT count(*) FROM tool_history").fetchone() == (10,)
    finally:
        ro.close()
