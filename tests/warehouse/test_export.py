"""`verdicts export --format parquet`: every view, month partitions, manifest and README."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cli import main
from warehouse.export import EXPORTS, view_docs


def test_export_every_view(
    analytics_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    assert main(["export", "--format", "parquet", str(out), "--data-dir", str(analytics_dir)]) == 0
    assert "tool_history: 10 rows" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["views"]) == set(EXPORTS)
    assert (out / "README.md").read_text().startswith("# Verdict Archive export")

    # partitioned views: hive style month=YYYY-MM, every row back
    th = manifest["views"]["tool_history"]
    assert th["partitions"] == ["month=2025-03"]
    assert th["rows"] == 10 and "SCD2" in th["doc"]
    con = duckdb.connect()
    got = con.execute(
        "SELECT count(*), min(month) FROM read_parquet(?, hive_partitioning = true)",
        [str(out / "tool_history" / "**" / "*.parquet")],
    ).fetchone()
    assert got == (10, "2025-03")
    # unpartitioned ones: one file
    assert (out / "latest_tool_verdicts" / "data_0.parquet").exists()
    assert manifest["views"]["latest_tool_verdicts"]["partition_by"] is None
    n = con.execute(
        "SELECT count(*) FROM read_parquet(?)",
        [str(out / "latest_tool_verdicts" / "data_0.parquet")],
    ).fetchone()
    assert n == (5,)
    # the text capture's time is a month too
    caps = manifest["views"]["captures"]
    assert caps["rows"] == 11 and caps["partitions"] == ["month=2025-03"]
    assert {c["name"] for c in manifest["views"]["verdict_changes"]["columns"]} >= {
        "verdict_before", "verdict_after", "score_before", "score_after",
    }  # fmt: skip

    # exporting again replaces, never duplicates
    args = ["export", str(out), "--data-dir", str(analytics_dir), "--view", "tool_history"]
    assert main(args) == 0
    again = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
        [str(out / "tool_history" / "**" / "*.parquet")],
    ).fetchone()
    assert again == (10,)


def test_every_view_is_documented() -> None:
    docs = view_docs()
    for view in [*EXPORTS, "internal.analytics_periods", "internal.tool_state_live",
                 "internal.review_state_live", "internal.trend_state_live"]:
        assert len(docs.get(view, "")) > 40, view
