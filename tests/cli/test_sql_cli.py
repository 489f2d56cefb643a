"""`verdicts sql`: reads in four formats, tables that fit the terminal; every kind of write
refused with exit status 2."""

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
    explain = "EXPLAIN SELECT * FROM latest_tool_verdicts"
    assert main(sql(analytics_dir, "--format", "csv", explain)) == 0


def test_unparsable_and_failing_sql(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(analytics_dir, "SELEC nonsense")) == 2
    assert capsys.readouterr().err.startswith("verdicts sql: refused: cannot parse the SQL")
    assert main(sql(analytics_dir, "SELECT * FROM no_such_view")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_view" in err[0]


def test_no_snapshot_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT 1", "--data-dir", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"verdicts sql: no snapshot published yet in {tmp_path / 'none'}: "
        "run `verdicts crawl` or `verdicts import` first"
    ]


WIDE = (
    "SELECT 'a very long text value that cannot possibly fit in a narrow terminal' AS text, "
    "2/3 AS ratio, 1234567.891 AS big, 0.000123456 AS tiny, 42 AS n, "
    "TIMESTAMPTZ '2025-03-12 10:00:00+00' AS at, NULL AS nothing"
)


def test_table_fits_the_terminal(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(sql(analytics_dir, WIDE + " UNION ALL SELECT 'short', 1.5, -2, 0, 7, NULL, 1")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(x) for x in lines) <= 80
    header, rule, first, second, footer = lines
    assert first.startswith("a very long") and "…" in first  # cut, not wrapped
    assert "0.67" in first and "0.6666" not in first  # rounded for display
    assert "1234567.89" in first and "0.000123" in first
    assert "2025-03-12 10:00:00" in first
    # numbers are right-aligned: the column's values end where its header ends
    end = header.index("ratio") + len("ratio")
    assert first[:end].endswith("0.67") and second[:end].endswith("1.50")
    assert footer == "(2 rows)"


def test_too_many_columns_for_the_terminal(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert main(sql(analytics_dir, "FROM latest_tool_verdicts ORDER BY tool_slug")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(x) for x in lines) <= 60
    assert len(lines) == 2 + 5 + 1  # header, rule, one line per row, footer
    assert lines[0].startswith("tool_slug") and lines[0].endswith("…")
    assert lines[-1].startswith("(5 rows; ")
    assert lines[-1].endswith("columns shown, --format line shows all)")


def test_line_format_shows_every_column(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    two = WIDE + " UNION ALL SELECT 'b', 1, 2, 3, 4, NULL, 5"
    assert main(sql(analytics_dir, "--format", "line", two)) == 0
    records = capsys.readouterr().out.split("\n\n")
    assert records[-1] == "(2 rows)\n"
    first = records[0].splitlines()
    assert first == [
        "   text = a very long text value that cannot possibly fit in a narrow terminal",
        "  ratio = 0.67",
        "    big = 1234567.89",
        "   tiny = 0.000123",
        "      n = 42",
        "     at = 2025-03-12 10:00:00",
        "nothing = NULL",
    ]


def test_csv_and_json_keep_full_precision(
    analytics_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(analytics_dir, "--format", "json", WIDE)) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["ratio"] == 2 / 3 and row["tiny"] == 0.000123456
    assert main(sql(analytics_dir, "--format", "csv", WIDE)) == 0
    assert "0.6666666666666666" in capsys.readouterr().out
