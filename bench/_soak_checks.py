"""The soak's checks on a data directory: captures, verdict_changes, duplicate rows per
table, and every WARC record read back with its digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from archive import RecordError, scan_records
from bench._soak_model import Damage
from bench._soak_truth import ChangeRow

#: The natural key of each table (a table not listed: the whole row).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "capture": ("url", "observed_at", "payload_digest"),
    "tool": ("slug",),
    "comparison": ("tool_a_slug", "tool_b_slug"),
    "tool_observation": ("capture_id", "position"),
    "review_observation": ("capture_id", "ordinal"),
    "crawl_run": ("base_url", "observed_at"),
    "crawl_fetch": ("run_id", "url"),
    "tool_vendor": ("slug",),
    "vendor": ("vendor",),
    "category_map": ("category",),
    "tool_state": ("tool_slug", "url", "position", "state_no"),
    "review_state": ("tool_slug", "url", "tool_position", "persona", "state_no"),
    "trend_state": ("kind", "slug", "persona", "state_no"),
}
#: Tables whose rows are a log (any number alike is fine).
LOG_TABLES = frozenset({"analytics_refresh"})


def connect_ro(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


def crawl_captures(con: duckdb.DuckDBPyConnection) -> list[tuple[str, datetime]]:
    """(url, observed_at) of every capture the crawl made."""
    rows = con.execute("SELECT url, observed_at FROM internal.capture "
                       "WHERE source = 'crawl'").fetchall()
    return [(str(u), t) for u, t in rows]


def verdict_change_rows(con: duckdb.DuckDBPyConnection) -> list[ChangeRow]:
    return [tuple(r) for r in con.execute(
        "SELECT kind, tool_slug, persona, url, tool_position, observed_at, "
        "previous_observed_at, verdict_before, verdict_after, score_before, score_after, "
        "basis FROM verdict_changes").fetchall()]


def base_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(str(s), str(t)) for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' ORDER BY 1, 2").fetchall()]


def table_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in every table (what a night added is the difference)."""
    total = 0
    for s, t in base_tables(con):
        row = con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()
        total += int(row[0]) if row else 0
    return total


def duplicate_rows(con: duckdb.DuckDBPyConnection) -> tuple[int, list[str]]:
    """Rows beyond the first per natural key, summed over the tables."""
    total, examples = 0, []
    for schema, table in base_tables(con):
        if table in LOG_TABLES:
            continue
        key = NATURAL_KEYS.get(table)
        cols = ", ".join(f'"{c}"' for c in key) if key else "*"
        n = con.execute(f'SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT {cols} '
                        f'FROM "{schema}"."{table}")) FROM "{schema}"."{table}"').fetchone()
        extra = int(n[0]) if n else 0
        if extra:
            total += extra
            examples.append(f"{table}: {extra} duplicate rows on ({cols})")
    return total, examples


@dataclass
class DigestCheck:
    """Every record of every WARC read back."""

    records: int = 0
    bad: int = 0
    damaged_expected: int = 0
    examples: list[str] = field(default_factory=list)


def check_digests(data: Path, damage: Damage | None) -> DigestCheck:
    """Read every record of every WARC, digests checked; the deliberately damaged record
    counts as damaged_expected, any other unreadable stretch as bad."""
    out = DigestCheck()
    for path in sorted((data / "archive").glob("*.warc.gz")):
        rel = str(path.relative_to(data))
        for item in scan_records(path):
            if not isinstance(item, RecordError):
                out.records += 1
                continue
            if damage is not None and rel == damage.warc and _covers(item, damage):
                out.damaged_expected += 1
            else:
                out.bad += 1
                out.examples.append(f"{rel}@{item.offset}: {item.message}")
    out.examples = out.examples[:5]
    return out


def _covers(err: RecordError, damage: Damage) -> bool:
    """Is `err` the damaged record's stretch (it starts there, or spans it)?"""
    start, end = err.offset, err.offset + max(err.length, 1)
    return start <= damage.offset < end or start == damage.offset


def view_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every analyst view (the default schema), its rows without load-time columns."""
    views = [str(r[0]) for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'VIEW' ORDER BY 1").fetchall()]
    out: dict[str, list[tuple[Any, ...]]] = {}
    for v in views:
        cols = [str(r[0]) for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ? ORDER BY ordinal_position", [v]).fetchall()]
        keep = ", ".join(f'"{c}"' for c in cols if c not in VOLATILE)
        out[v] = [_hashable(r) for r in con.execute(f'SELECT {keep} FROM "{v}"').fetchall()]
    return out


def _hashable(value: Any) -> Any:
    """Lists and structs as tuples, so rows can be counted."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


#: Columns that say when a row was loaded, not what the archive holds.
VOLATILE = frozenset({"loaded_at", "refreshed_at"})
