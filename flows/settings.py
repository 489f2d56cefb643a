"""Where the project keeps its files: the data directory and what lies in it."""

from __future__ import annotations

import os
from pathlib import Path

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
