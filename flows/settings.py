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

