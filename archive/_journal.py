"""The crawl journal: a write-ahead log of fetch outcomes, one JSON line per URL.

A fetch task appends a URL's crawl_fetch row here once its WARC records are durable
(written and fsynced; and before the warehouse hears of it), flushing each line, or each
group of lines (:meth:`Journal.grouped`: the rows of one WARC group commit). If the crawl is
killed, the next start of the same run replays the lines the warehouse is missing, so
no finished page is fetched again. The file is deleted when its run finishes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["Journal", "journal_path", "read_journal"]

_DATETIME_FIELDS = ("fetched_at", "sitemap_lastmod")


def journal_path(data_dir: Path, run_id: str) -> Path:
    """Where a run's journal lives: <data>/crawl/<run_id>.jsonl."""
    return Path(data_dir) / "crawl" / f"{run_id}.jsonl"


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class Journal:
    """Append-only writer of a run's journal (one writer at a time per run)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        self._grouped = 0  # > 0 inside grouped(): lines are flushed at its end

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row and flush it to the OS (survives a SIGKILL of this process)."""
        self._fh.write(json.dumps(dict(row), default=_default, separators=(",", ":")) + "\n")
        if not self._grouped:
            self._fh.flush()

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """Append several rows with one flush at the end (also when the block fails:
        every line written is true, its records being durable already)."""
        self._grouped += 1
        try:
            yield
        finally:
            self._grouped -= 1
            if not self._grouped:
                self._fh.flush()

    def close(self) -> None:
        """Flush, fsync and close."""
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path) -> dict[str, dict[str, Any]]:
    """The rows of a journal by URL (a later line for a URL wins). A torn last line, from
    a crash mid-write, is ignored."""
    rows: dict[str, dict[str, Any]] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return rows
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        for name in _DATETIME_FIELDS:
            if row.get(name):
                row[name] = datetime.fromisoformat(row[name])
        rows[row["url"]] = row
    return rows
