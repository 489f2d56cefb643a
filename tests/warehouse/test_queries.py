"""warehouse.queries: every statement the warehouse runs is a named .sql file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warehouse.queries import QUERY_DIR, query

ROOT = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted(QUERY_DIR.glob("*.sql"))


def test_query_reads_the_named_file() -> None:
    assert query("count_rows") == (QUERY_DIR / "count_rows.sql").read_text(encoding="utf-8")
    assert query("count_rows") is query("count_rows")  # cached


@pytest.mark.parametrize("name", ["no_such_query", "", "../010_core", "queries/count_rows"])
def test_unknown_query_names_the_file_it_expected(name: str) -> None:
    with pytest.raises(KeyError, match="no such query"):
        query(name)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_says_what_it_does(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("-- "), path.name


def test_every_query_file_is_used() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "warehouse").glob("*.py"))
    used = set(re.findall(r'"(\w+)"', sources))
    assert [p.stem for p in QUERY_FILES if p.stem not in used] == []


def test_queries_are_not_schema_files() -> None:
    """connect() runs sql/*.sql only: the named queries are never applied as schema."""
    from warehouse.db import schema_files

    assert not any(p.parent == QUERY_DIR for p in schema_files())
