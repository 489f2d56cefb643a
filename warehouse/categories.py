"""Canonical categories: the editable mapping ``categories.csv`` (raw → canonical).

Pages show near-synonyms for the same kind of tool ("AI Models", "AI/ML Models",
"Models", …), and the same tool carries different ones on different pages. The mapping
file names the canonical category of each raw one; a category it does not list is its
own canonical category. :func:`refresh_categories` copies the file into
``internal.category_map``, which the histories and ``category_trends`` read.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.queries import query

__all__ = ["CATEGORIES_PATH", "canonical", "files_digest", "load_categories",
           "refresh_categories"]

CATEGORIES_PATH = Path(__file__).resolve().parent / "categories.csv"


def load_categories(path: str | Path | None = None) -> dict[str, str]:
    """Read the mapping: raw category → canonical category (``#`` lines are comments).

    Raises ValueError naming the file and line for a row without both values.
    """
    p = Path(path) if path is not None else CATEGORIES_PATH
    out: dict[str, str] = {}
    with p.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.lstrip().startswith("#"))
        for n, row in enumerate(csv.DictReader(lines), start=2):
            raw = (row.get("category") or "").strip()
            canon = (row.get("canonical") or "").strip()
            if not raw or not canon:
                raise ValueError(f"{p}: row {n} needs both a category and a canonical name")
            out[raw] = canon
    return out


def canonical(category: str | None, mapping: dict[str, str] | None = None) -> str | None:
    """The canonical category of a raw one (itself when the mapping does not list it)."""
    if category is None:
        return None
    raw = category.strip()
    return (load_categories() if mapping is None else mapping).get(raw, raw)


def files_digest(path: str | Path | None = None) -> str:
    """A digest of the mapping file (changes when a user edits it)."""
    p = Path(path) if path is not None else CATEGORIES_PATH
    return hashlib.sha1(p.read_bytes() if p.exists() else b"-").hexdigest()


def refresh_categories(con: duckdb.DuckDBPyConnection, path: str | Path | None = None) -> int:
    """Replace ``internal.category_map`` with the mapping file's rows; returns their number.
    Runs in the caller's transaction when there is one."""
    mapping = load_categories(path)
    table = pa.table({"category": pa.array(list(mapping), pa.string()),
                      "canonical": pa.array(list(mapping.values()), pa.string())})
    con.register("_va_category_map", table)  # the name category_replace.sql reads
    try:
        con.execute(query("category_replace"))
    finally:
        con.unregister("_va_category_map")
    return int(table.num_rows)
