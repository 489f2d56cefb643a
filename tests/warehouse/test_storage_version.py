"""The warehouse file is written in a storage format older readers open: the DuckDB CLI
1.5.6 (a different program from the DuckDB 2 library that writes it) reads the snapshot,
its analyst views and their comments."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cli import main
from warehouse.db import STORAGE_VERSION

#: The DuckDB CLI of the dev install (PyPI's duckdb-cli, pinned in uv.lock).
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def _cli(db: Path, sql: str) -> str:
    done = subprocess.run([str(DUCKDB_CLI), "-readonly", "-csv", str(db), "-c", sql],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_duckdb_cli_reads_the_snapshot(tmp_path: Path, seed: Callable[[str], Path]) -> None:
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("v1.5."), version.stdout
    assert STORAGE_VERSION <= "v1.5.0"
    assert main(["import", str(seed("000")), str(seed("002")), "--data-dir", str(tmp_path)]) == 0
    snapshot = tmp_path / "verdicts.snapshot.duckdb"
    assert _cli(snapshot, "SELECT count(*) AS n FROM captures").split() == ["n", "2"]
    assert "Builder" in _cli(snapshot, "SELECT DISTINCT persona FROM reviews")
    comments = _cli(snapshot, "SELECT view_name, comment FROM duckdb_views() "
                              "WHERE schema_name = 'main' AND NOT internal")
    assert "latest_tool_verdicts," in comments and "one row per" in comments
