"""Where the project keeps its files, and the defaults a real crawl uses."""

from __future__ import annotations

import os
from pathlib import Path

#: The live site: the default target of a real crawl.
LIVE_BASE_URL = "https://shiporskip.io"
#: Sent with every request, so the site's operators know who is calling and how to reach us.
USER_AGENT = "VerdictArchive/0.1 (+https://github.com/verdict-archive/verdict-archive)"
#: Politeness default for the live site: requests per second per host.
LIVE_RATE_PER_SECOND = 1.0

DB_FILENAME = "verdicts.duckdb"
ARCHIVE_DIRNAME = "archive"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: `--data-dir`, else $VERDICTS_DATA_DIR, else ./data."""
    chosen = override or os.environ.get("VERDICTS_DATA_DIR") or "data"
    return Path(chosen)


def db_path(data: Path) -> Path:
    """The DuckDB warehouse file inside a data directory."""
    return data / DB_FILENAME


def archive_dir(data: Path) -> Path:
    """The folder of WARC files inside a data directory."""
    return data / ARCHIVE_DIRNAME


def seeds_dir() -> Path:
    """The five golden captures: ../shared/seeds beside the repo, else the copy in replica/."""
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
    if shared.is_dir() and any(shared.glob("*.txt")):
        return shared
    return Path(__file__).resolve().parent.parent / "replica" / "data" / "seeds"
