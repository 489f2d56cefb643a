"""The analyst views' documentation, read from the comments in ``sql/*.sql``: one source for
the ``.sql`` files, ``COMMENT ON VIEW``/``COLUMN`` (what DuckDB tools show) and the export's
README.

The convention: the comment block right above ``CREATE OR REPLACE VIEW name AS`` documents
the view; a public view (one in the default schema, i.e. not ``internal.``) has a line
``-- Columns:`` followed by one entry per column::

    --   column_name     what it means
    --                   (more indented lines continue it)

A line back at the left margin ends the list (more prose may follow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ViewDoc", "parse_view_docs"]

_VIEW_RE = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+([\w.]+)", re.IGNORECASE)
_ENTRY_RE = re.compile(r"^ {1,3}(\w+)\s{2,}(\S.*)$")
_MORE_RE = re.compile(r"^\s{4,}(\S.*)$")


@dataclass(frozen=True)
class ViewDoc:
    """One view's documentation: its whole comment block, its description (the block
    without the column list) and each listed column's text."""

    name: str
    block: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        """In the analysts' default schema (not ``internal``)."""
        return "." not in self.name


def _comment_block(lines: list[str], end: int) -> list[str]:
    """The ``--`` lines right above line `end`, without their ``-- `` prefix."""
    block: list[str] = []
    j = end - 1
    while j >= 0 and lines[j].lstrip().startswith("--"):
        block.append(lines[j].lstrip()[2:].rstrip().removeprefix(" "))
        j -= 1
    return list(reversed(block))


def _split(block: list[str]) -> tuple[str, dict[str, str]]:
    """(description, columns) of one comment block."""
    prose: list[str] = []
    columns: dict[str, str] = {}
    current: str | None = None
    in_list = False
    for line in block:
        if line.strip() == "Columns:":
            in_list = True
            continue
        entry = _ENTRY_RE.match(line) if in_list else None
        more = _MORE_RE.match(line) if in_list and current else None
        if entry:
            current = entry.group(1)
            columns[current] = entry.group(2).strip()
        elif more and current:
            columns[current] += " " + more.group(1).strip()
        else:
            if line and not line.startswith(" "):
                in_list = False
            current = None
            prose.append(line)
    text = "\n".join(prose).strip()
    return re.sub(r"\n{3,}", "\n\n", text), columns


def parse_view_docs(paths: list[Path]) -> dict[str, ViewDoc]:
    """Every view's documentation in `paths`, by its name as created (``internal.x`` for
    helpers)."""
    docs: dict[str, ViewDoc] = {}
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = _VIEW_RE.match(line.strip())
            if not m:
                continue
            block = _comment_block(lines, i)
            description, columns = _split(block)
            docs[m.group(1)] = ViewDoc(m.group(1), "\n".join(block), description, columns)
    return docs
