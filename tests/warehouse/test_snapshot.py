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
from warehouse.snapshot import (
    NoSnapshot,
    open_readonly,
    publish_snapshot,
    resolve_db,
    snapshot_path,
)

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
    seen.add(con.execute("SELECT count(*) FROM captures").fetchone()[0])
    ready.write_text("ready")
    deadline = time.time() + 60
    while not stop.exists() and time.time() < deadline:
        con.execute("SELECT * FROM latest_tool_verdicts").fetchall()
        seen.add(con.execute("SELECT count(*) FROM captures").fetchone()[0])
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
        assert con.execute("SELECT count(*) FROM captures").fetchone() == (11,)
        assert con.execute("SELECT count(*) FROM latest_tool_verdicts").fetchone() == (5,)
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE x (a INT)")
    finally:
        con.close()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from warehouse.db import connect
    con = connect(Path(sys.argv[1]))  # a writer holds the main file, like a crawl
    Path(sys.argv[2]).write_text("ready")
    while not Path(sys.argv[3]).exists():
        time.sleep(0.05)
    con.execute("CHECKPOINT")  # still the writer: no reader took the file
    con.close()
    print("done")
    """
)


def test_no_snapshot_yet_never_opens_the_main_file(tmp_path: Path) -> None:
    """Without a snapshot a reader gets a clear message, not the main file: it would lock
    out the crawl (issue 11). Here a writer holds the main file meanwhile, untouched."""
    db = tmp_path / "verdicts.duckdb"
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(ready), str(stop)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(600):
            if ready.exists() or holder.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists()
        for path in (tmp_path, db, snapshot_path(db)):
            with pytest.raises(NoSnapshot) as info:
                open_readonly(path)
            assert str(info.value) == (
                f"no snapshot published yet in {tmp_path}: "
                "run `verdicts crawl` or `verdicts import` first"
            )
    finally:
        stop.write_text("stop")
        out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
    assert out.strip() == "done"
    assert not snapshot_path(db).exists()


def test_a_killed_publish_leaves_nothing_behind_the_next(tmp_path: Path) -> None:
    db = tmp_path / "verdicts.duckdb"
    con = connect(db)
    load_captures(con, fx.records()[:2])
    con.close()
    stale = [tmp_path / ".verdicts.snapshot.duckdb.99999999.tmp",
             tmp_path / ".verdicts.snapshot.duckdb.1.tmp"]  # fmt: skip
    for p in stale:
        p.write_bytes(b"half a copy")
    other = tmp_path / "notes.tmp"
    other.write_text("not ours")
    publish_snapshot(db)
    assert not any(p.exists() for p in stale)
    assert other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.tmp", "verdicts.duckdb", "verdicts.snapshot.duckdb"
    ]  # fmt: skip


def test_readers_are_sandboxed(tmp_path: Path) -> None:
    db = tmp_path / "data" / "verdicts.duckdb"
    con = connect(db)
    load_captures(con, fx.records()[:2])
    con.close()
    publish_snapshot(db)
    (tmp_path / "outside.csv").write_text("a\n1\n")
    (tmp_path / "data" / "inside.csv").write_text("a\n2\n")
    ro = open_readonly(tmp_path / "data")
    try:
        assert ro.execute("SELECT count(*) FROM captures").fetchone() == (2,)
        assert ro.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
        assert ro.execute(f"FROM read_csv('{tmp_path}/data/inside.csv')").fetchall() == [(2,)]
        for escape in (f"FROM read_csv('{tmp_path}/outside.csv')",
                       f"FROM read_csv('{tmp_path}/data/../outside.csv')",
                       "FROM read_text('/etc/passwd')"):  # fmt: skip
            with pytest.raises(duckdb.PermissionException):
                ro.execute(escape)
        changes = ("SET enable_external_access = true", "RESET lock_configuration",
                   "SET memory_limit = '100GB'", "SET allowed_directories = ['/']",
                   "SET allowed_configs = ['memory_limit']")  # fmt: skip
        for change in changes:
            with pytest.raises(duckdb.InvalidInputException, match="locked"):
                ro.execute(change)
        with pytest.raises(duckdb.Error):
            ro.execute("INSTALL httpfs")
        # a second reader in the same process shares the locked database: still locked
        again = open_readonly(tmp_path / "data")
        try:
            assert again.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
            with pytest.raises(duckdb.PermissionException):
                again.execute("FROM read_text('/etc/passwd')")
        finally:
            again.close()
    finally:
        ro.close()


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
