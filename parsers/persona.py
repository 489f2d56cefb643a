"""Reviewer personas: full-layout headings and the compact layout's fixed order."""

from __future__ import annotations

import re

# The order of the compact layout's quotes (tool A then tool B for each persona), as
# established by seed 000 against seed 002 (same texts, named there).
COMPACT_ORDER = ("Builder", "Skeptic", "Futurist", "Founder")

# The footer speaks of 7 critics: any single capitalised word can head a persona block.
_HEADING = re.compile(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?")


def is_persona_heading(line: str) -> bool:
    """A single capitalised word (`Builder`); only meaningful before a score line."""
    return " " not in line and _HEADING.fullmatch(line) is not None


def compact_personas(count: int) -> list[tuple[str, int]] | None:
    """(persona, tool_position) per compact quote, only for the known 8-quote pattern."""
    if count != 2 * len(COMPACT_ORDER):
        return None
    return [(p, pos) for p in COMPACT_ORDER for pos in (1, 2)]
