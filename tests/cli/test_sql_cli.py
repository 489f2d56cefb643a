"""`verdicts sql`: reads in three formats; every kind of write refused with exit status 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import analytics_fixture as fx
import pytest

from cli import main


def sql(analytics_dir: Path, *args: str) -> list[str]:
    return ["sql", *args, "--data-dir", str(analytics_dir)]


def test_json_lines(analytics_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(sql(analytics_dir, "--format", "json",
                    "SELECT tool_slug, panel_ship_pct, observed_at FROM latest_tool_verdicts "
                    "ORDER BY tool_slug"))  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    first = json.loads(out[0])
    assert first == {
        "tool_slug": fx.A,
        "panel_ship_pct": 100,
        "observed_at": "2025-03-12T10:00:00+00:00",
    }
    assert len(out) == 5


def test_csv_and_several_reads(analytics_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(sql(analytics_dir, "--format", "csv",
                    "SELECT vendor, tools FROM ship_rate_by_vendor WHERE granularity = 'month' "
                    "ORDER BY vendor NULLS LAST; SELECT 1 AS one"))  # fmt: skip
    assert code == 0
    first, second = capsys.readouterr().out.split("\n\n")
    table = list(csv.reader(io.StringIO(first)))
    assert table[0] == ["vendor", "tools"]
    assert table[1:] == [["Hugging Face", "1"], ["Meta", "1"], ["Mistral AI", "1"],
                         ["Windsurf", "1"], ["", "1"]]  # fmt: skip
    assert second.strip().splitlines() == ["one", "1"]


def test_table_format(analytics_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(sql(analytics_dir, "SELECT persona, reviews FROM persona_leniency "
                          "WHERE granularity = 'month' ORDER BY persona")) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Skeptic" in out and "persona" in out and "(4 rows)" in out


def test_stdin_and_describe(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("DESCRIBE verdict_changes"))
    assert main(sql(analytics_dir, "--format", "csv", "-")) == 0
    assert "verdict_before" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("INSERT INTO tool VALUES ('x')", "INSERT"),
        ("UPDATE tool SET slug = 'x'", "UPDATE"),
        ("DELETE FROM tool", "DELETE"),
        ("TRUNCATE tool", "DELETE"),
        ("CREATE TABLE t (a INT)", "CREATE"),
        ("CREATE VIEW v AS SELECT 1", "CREATE"),
        ("DROP VIEW latest_tool_verdicts", "DROP"),
        ("ALTER TABLE tool ADD COLUMN x INT", "ALTER"),
        ("ATTACH 'other.duckdb' AS o", "ATTACH"),
        ("DETACH o", "DETACH"),
        ("COPY tool TO 'tool.csv'", "COPY"),
        ("COPY (SELECT 1) TO 'one.parquet' (FORMAT parquet)", "COPY"),
        ("COPY tool FROM 'tool.csv'", "COPY"),
        ("EXPORT DATABASE 'dump'", "EXPORT"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("SET threads = 1", "SET"),
        ("RESET threads", "SET"),
        ("PRAGMA enable_profiling", "PRAGMA"),
        ("CHECKPOINT", "CALL"),
        ("BEGIN TRANSACTION", "TRANSACTION"),
        ("VACUUM", "VACUUM"),
    ],
)
def test_writes_are_refused(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str], statement: str, kind: str
) -> None:
    assert main(sql(analytics_dir, statement)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"verdicts sql: refused: statement 1 is {kind};")
    assert not (Path.cwd() / "tool.csv").exists()


def test_a_write_among_reads_refuses_everything(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT 1 AS a; DROP TABLE tool; SELECT 2"
    assert main(sql(analytics_dir, "--format", "json", query)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing ran
    assert "statement 2 is DROP" in captured.err


def test_explain_of_a_write_is_refused_and_of_a_read_runs(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(analytics_dir, "EXPLAIN ANALYZE DELETE FROM tool")) == 2
    assert "EXPLAIN of a write" in capsys.readouterr().err
    assert main(sql(analytics_dir, "--format", "csv", "EXPLAIN SELECT * FROM tool")) == 0


def test_unparsable_and_failing_sql(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(analytics_dir, "SELEC nonsense")) == 2
    assert capsys.readouterr().err.startswith("verdicts sql: refused: cannot parse the SQL")
    assert main(sql(analytics_dir, "SELECT * FROM no_such_view")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_view" in err[0]


def test_missing_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT 1", "--data-dir", str(tmp_path / "none")]) == 2
    assert "no warehouse" in capsys.readouterr().err
