"""archive._journal: the crawl's write-ahead log of fetch rows (Mappings in and out)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archive import Journal, journal_path, read_journal

T0 = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_rows_round_trip_and_a_later_line_wins(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "run-1")
    assert path == tmp_path / "crawl" / "run-1.jsonl"
    with Journal(path) as journal:
        journal.append({"url": "https://a/x", "outcome": "failed", "fetched_at": T0})
        journal.append({"url": "https://a/y", "outcome": "fetched", "sitemap_lastmod": None})
        journal.append({"url": "https://a/x", "outcome": "fetched", "fetched_at": T0})
    rows = read_journal(path)
    assert rows == {
        "https://a/x": {"url": "https://a/x", "outcome": "fetched", "fetched_at": T0},
        "https://a/y": {"url": "https://a/y", "outcome": "fetched", "sitemap_lastmod": None},
    }


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "run-2")
    with Journal(path) as journal:
        journal.append({"url": "https://a/x", "outcome": "fetched"})
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"url": "https://a/y", "outc')  # SIGKILL mid-line
    assert list(read_journal(path)) == ["https://a/x"]
    assert read_journal(tmp_path / "missing.jsonl") == {}
