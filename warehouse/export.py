"""Exporting the analyst views as Parquet, partitioned by month, with a manifest.

Each view becomes a directory ``DIR/<view>/``. A view with a time column that fits (see
:data:`EXPORTS`) is written hive-style, one folder per UTC month
(``DIR/tool_history/month=2025-03/data_0.parquet``); the others are one file
(``DIR/latest_tool_verdicts/data_0.parquet``). ``DIR/manifest.json`` and
``DIR/README.md`` say what was written: rows, columns and types, partitioning, and each
view's documentation taken from its ``.sql`` file. Read back with e.g.
``SELECT * FROM read_parquet('DIR/tool_history/**/*.parquet', hive_partitioning = true)``.

Works on a read-only connection (``COPY … TO`` writes files, not the database).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import schema_files
from warehouse.queries import query
from warehouse.schema_docs import parse_view_docs

__all__ = ["EXPORTS", "view_docs", "export_parquet"]

#: view -> the time column its months are taken from (None: not partitioned)
EXPORTS: dict[str, str | None] = {
    "latest_tool_verdicts": None,
    "tool_trend": "valid_from",
    "review_trend": "valid_from",
    "tool_history": "valid_from",
    "review_history": "valid_from",
    "verdict_changes": "observed_at",
    "ship_rate_by_vendor": "period_start",
    "persona_leniency": "period_start",
    "category_trends": "period_start",
    "head_to_head": None,
    "captures": "observed_at",
    "reviews": "observed_at",
}

def view_docs() -> dict[str, str]:
    """Each view's documentation: the comment block right above its CREATE in sql/*.sql
    (the same text warehouse.db writes as COMMENT ON), by name (``internal.x`` for
    helpers)."""
    return {name: doc.block for name, doc in parse_view_docs(schema_files()).items()}


@dataclass(frozen=True)
class _Written:
    view: str
    rows: int
    columns: list[dict[str, str]]
    partition_by: str | None
    partitions: list[str]


def _export_view(con: duckdb.DuckDBPyConnection, view: str, target: Path) -> _Written:
    """Write one view under `target` (replacing an earlier export): by month when it has
    a time column (see :data:`EXPORTS`) and rows, else as one file."""
    time_col = EXPORTS[view]
    if target.exists():
        shutil.rmtree(target)
    cols = con.execute(query("describe_view").format(view=view)).fetchall()
    columns = [{"name": c[0], "type": c[1]} for c in cols]
    rows = con.execute(query("count_rows").format(table=view)).fetchall()[0][0]
    if time_col and rows:
        col_type = next(c["type"] for c in columns if c["name"] == time_col)
        name = "export_view_by_utc_month" if "TIME ZONE" in col_type else "export_view_by_month"
        con.execute(query(name).format(view=view, column=time_col), [str(target)])
        partitions = sorted(p.name for p in target.iterdir() if p.is_dir())
    else:
        target.mkdir(parents=True)
        con.execute(query("export_view").format(view=view), [str(target / "data_0.parquet")])
        partitions = []
    return _Written(view, rows, columns, time_col if rows else None, partitions)


def export_parquet(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    views: list[str] | None = None,
) -> dict[str, Any]:
    """Write `views` (default: every view in :data:`EXPORTS`) under `out_dir`; replace any
    earlier export of the same view. Returns the manifest (also written as manifest.json)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(EXPORTS) if views is None else views
    unknown = [v for v in names if v not in EXPORTS]
    if unknown:
        raise ValueError(f"not an exportable view: {', '.join(unknown)}")
    docs = view_docs()
    written = [_export_view(con, view, out / view) for view in names]

    manifest = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": "parquet",
        "views": {
            w.view: {
                "path": f"{w.view}/",
                "rows": w.rows,
                "partition_by": f"month (UTC, from {w.partition_by})" if w.partition_by else None,
                "partitions": w.partitions,
                "columns": w.columns,
                "doc": docs.get(w.view, ""),
            }
            for w in written
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(manifest), encoding="utf-8")
    return manifest


def _readme(manifest: dict[str, Any]) -> str:
    lines = [
        "# Verdict Archive export",
        "",
        f"Exported {manifest['exported_at']} as Parquet; one directory per view.",
        "Partitioned views are hive-style (`month=YYYY-MM`, UTC). Read them with e.g.",
        "`SELECT * FROM read_parquet('<view>/**/*.parquet', hive_partitioning = true)`.",
        "`manifest.json` lists every column and type.",
        "",
        "| view | rows | partitioned by | partitions |",
        "|---|---:|---|---:|",
    ]
    for name, v in manifest["views"].items():
        lines.append(
            f"| `{name}` | {v['rows']} | {v['partition_by'] or '-'} | {len(v['partitions'])} |"
        )
    for name, v in manifest["views"].items():
        lines += ["", f"## {name}", "", "```", v["doc"] or "(no documentation)", "```"]
    return "\n".join(lines) + "\n"
