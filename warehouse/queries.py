"""Named SQL: every statement the warehouse runs lives in ``sql/queries/<name>.sql``.

Python keeps only parameters and table names. Conventions of the query files:

- the first line is a comment saying what the query returns or does (and its ``?``
  parameters, in order); values are always bound parameters, never formatted in;
- one statement per file, except a few files whose statements always run together
  (DuckDB runs them in order when the text is executed);
- a ``{table}`` / ``{view}`` / ``{column}`` placeholder stands for an identifier the caller
  fills in with ``str.format`` (from its own constants, never from user input);
- a query that reads an Arrow table the caller registers names it ``_va_…``, as the
  caller registers it.

The name prefixes say who runs a query: ``crawl_`` (crawl_state), ``load_``, ``vendor_``,
``history_``, ``analytics_``, ``export_``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["QUERY_DIR", "query"]

QUERY_DIR = Path(__file__).resolve().parent / "sql" / "queries"


@cache
def query(name: str) -> str:
    """The SQL of ``sql/queries/<name>.sql``, read once and cached.

    Raises KeyError naming the expected file when there is no such query.
    """
    path = QUERY_DIR / f"{name}.sql"
    if not name or path.parent != QUERY_DIR or not path.is_file():
        raise KeyError(f"no such query {name!r}: expected warehouse/sql/queries/{name}.sql")
    return path.read_text(encoding="utf-8")
