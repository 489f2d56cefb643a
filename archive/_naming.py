"""WARC file names: the one place that says how an archive file is named and found.

A writer names its files ``<prefix>-<UTC yyyymmddHHMMSS>-<n>.warc.gz``; a crawl run's
prefix is ``crawl-<run_id>``, so a file's name alone tells which run wrote it (the
reparse needs that to tell crawl WARCs from imported ones). The run-id format itself is
not known here: whatever stands between ``crawl-`` and the stamp is the run id.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["crawl_run_of", "crawl_warc_prefix", "run_warcs", "warc_files", "warc_name"]

#: The first part of every crawl WARC's name.
CRAWL_PREFIX = "crawl"
_CRAWL_WARC = re.compile(rf"^{CRAWL_PREFIX}-(?P<run>.+)-\d{{14}}-\d+\.warc(\.gz)?$")
_WARC_SUFFIXES = (".warc", ".warc.gz")


def warc_name(prefix: str, stamp: str, serial: int) -> str:
    """The name of a writer's `serial`-th file: ``<prefix>-<stamp>-<serial>.warc.gz``."""
    return f"{prefix}-{stamp}-{serial}.warc.gz"


def crawl_warc_prefix(run_id: str) -> str:
    """The WarcWriter prefix of a crawl run's files: ``crawl-<run_id>``."""
    return f"{CRAWL_PREFIX}-{run_id}"


def crawl_run_of(path: Path) -> str | None:
    """The run id in a crawl WARC's file name (``crawl-<run_id>-<stamp>-<n>.warc[.gz]``);
    None for any other file (an import)."""
    match = _CRAWL_WARC.match(Path(path).name)
    return match.group("run") if match else None


def run_warcs(archive_dir: Path, run_id: str) -> list[Path]:
    """The WARC files a crawl run wrote into `archive_dir`, in name order."""
    found = Path(archive_dir).glob(f"{crawl_warc_prefix(run_id)}-*.warc*")
    return sorted(p for p in found if p.name.endswith(_WARC_SUFFIXES))


def warc_files(archive_dir: Path) -> list[Path]:
    """Every ``.warc`` / ``.warc.gz`` file in `archive_dir` (crawls and imports), in name
    order."""
    return sorted(p for p in Path(archive_dir).glob("*.warc*") if p.name.endswith(_WARC_SUFFIXES))
