"""`verdicts sql` reads the warehouse and the data directory, nothing else: every escape of
issue 11's red team is refused with exit status 2 and one line on stderr."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(analytics_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of its own (the analytics snapshot copied), with an export in it
    and a secret file beside it."""
    base = tmp_path_factory.mktemp("sandbox")
    data = base / "data"
    (data / "exports").mkdir(parents=True)
    shutil.copyfile(analytics_dir / "verdicts.snapshot.duckdb", data / "verdicts.snapshot.duckdb")
    (data / "exports" / "mine.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (base / "secret.csv").write_text("secret\nhunter2\n", encoding="utf-8")
    return data


def _run(data: Path, sql: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["sql", "--format", "csv", "--data-dir", str(data), sql])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


ESCAPES = [
    ("SELECT count(*) FROM read_csv('/etc/passwd')", "reaches outside the warehouse"),
    ("SELECT * FROM read_text('/etc/passwd')", "reaches outside the warehouse"),
    ("SELECT * FROM read_blob('/etc/passwd')", "reaches outside the warehouse"),
    ("SELECT * FROM glob('/*')", "reaches outside the warehouse"),
    ("SELECT * FROM read_csv('{data}/../secret.csv')", "reaches outside the warehouse"),
    ("SELECT * FROM read_csv('{data}/exports/../../secret.csv')", "reaches outside the warehouse"),
    ("SELECT * FROM read_text('{data}/../secret.csv')", "reaches outside the warehouse"),
    ("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", "reaches outside the warehouse"),
    ("SELECT * FROM read_parquet('s3://bucket/x.parquet')", "reaches outside the warehouse"),
    ("SELECT * FROM read_csv('file:///etc/passwd')", "reaches outside the warehouse"),
    ("SET enable_external_access = true", "is SET"),
    ("SET lock_configuration = false", "is SET"),
    ("RESET memory_limit", "is SET"),
    ("SET allowed_directories = ['/']", "is SET"),
    ("ATTACH '{data}/verdicts.snapshot.duckdb' AS again", "is ATTACH"),
    ("COPY (SELECT 1) TO '{data}/out.csv'", "is COPY"),
    ("INSTALL httpfs", "is LOAD"),
    ("LOAD httpfs", "is LOAD"),
    ("WITH x AS (DELETE FROM captures RETURNING *) SELECT * FROM x", "DELETE in a WITH"),
    ("WITH x AS MATERIALIZED (UPDATE captures SET url = 'x' RETURNING *) SELECT 1", "UPDATE"),
    ("WITH x AS (INSERT INTO captures DEFAULT VALUES RETURNING *) SELECT 1", "INSERT in a WITH"),
    ("WITH x AS (COPY (SELECT 1) TO '{data}/out.csv') SELECT 1", "COPY in a WITH"),
    ("FROM captures WHERE url IN (WITH y AS (DELETE FROM captures RETURNING url) FROM y)",
     "DELETE in a WITH"),  # fmt: skip
    ("EXPLAIN WITH x AS (DELETE FROM captures RETURNING *) SELECT 1", "EXPLAIN of a write"),
]


@pytest.mark.parametrize(("sql", "reason"), ESCAPES, ids=[e[0][:50] for e in ESCAPES])
def test_every_escape_is_refused(
    data: Path, capsys: pytest.CaptureFixture[str], sql: str, reason: str
) -> None:
    code, out, err = _run(data, sql.format(data=data), capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("verdicts sql: refused: statement 1 ")
    assert reason in lines[0]
    assert "hunter2" not in err and "root:" not in err
    assert not (data / "out.csv").exists()


def test_what_analysts_can_still_read(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The warehouse's views, and files under the data directory by absolute path."""
    code, out, _ = _run(data, "SELECT count(*) AS n FROM latest_tool_verdicts", capsys)
    assert (code, out) == (0, "n\n5\n")
    code, out, _ = _run(data, f"SELECT * FROM read_csv('{data}/exports/mine.csv')", capsys)
    assert (code, out) == (0, "a,b\n1,2\n")
    code, out, _ = _run(data, f"SELECT count(*) AS n FROM glob('{data}/exports/*')", capsys)
    assert (code, out) == (0, "n\n1\n")


def test_the_session_is_locked_down(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = (
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
        "'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration', "
        "'allow_community_extensions', 'memory_limit') ORDER BY name"
    )
    code, out, _ = _run(data, settings, capsys)
    assert code == 0
    rows = dict(line.split(",", 1) for line in out.strip().splitlines()[1:])
    assert rows["enable_external_access"] == "false"
    assert rows["autoinstall_known_extensions"] == "false"
    assert rows["autoload_known_extensions"] == "false"
    assert rows["allow_community_extensions"] == "false"
    assert rows["lock_configuration"] == "true"
    assert rows["memory_limit"].endswith("GiB") and float(rows["memory_limit"].split()[0]) <= 2


def test_real_command_exits_2_and_touches_nothing_outside(data: Path, tmp_path: Path) -> None:
    """The red team's own commands, as a user runs them: exit 2, one line, no download of
    httpfs, no ~/.duckdb, and no connection to the URL's server."""
    home = tmp_path / "home"
    home.mkdir()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
    try:
        for sql in ("SELECT * FROM read_text('/etc/passwd')",
                    f"SELECT * FROM read_csv('http://127.0.0.1:{port}/x.csv')"):  # fmt: skip
            proc = subprocess.run(
                [sys.executable, "-m", "cli", "sql", "--data-dir", str(data), sql],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert proc.returncode == 2, proc.stderr
            assert proc.stdout == ""
            assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert "Traceback" not in proc.stderr
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody knocked
    finally:
        listener.close()
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in data.iterdir()) == ["exports", "verdicts.snapshot.duckdb"]
