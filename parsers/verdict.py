"""Value parsers for the figures a comparison page shows.

Each takes one visible line and returns the value, or None when the line is not that kind
of value (blank, a dash, a sentence). They never guess: a partial figure does not match.
"""

from __future__ import annotations

import re

BADGES = frozenset({"Ship", "Mixed", "Skip"})
NO_VALUE = frozenset({"", "—", "–", "-", "n/a", "N/A", "No community votes yet"})

# `75%`, also `12% · 40 votes` (the community vote count SITE.md expects someday).
_PERCENT = re.compile(r"(\d{1,3})\s*%(?:\s*(?:·|\||—|-|\()\s*[\d,]+\s+votes?\)?)?")
# `85/100 · ship`
_SCORE = re.compile(r"(\d{1,3})\s*/\s*100\s*[·•|—–-]?\s*(ship|skip)", re.IGNORECASE)
# `Ship · 3 ship / 1 skip`
_PANEL = re.compile(r"([A-Z][a-z]+)\s*·\s*(\d+)\s+ships?\s*/\s*(\d+)\s+skips?")


def parse_percent(line: str) -> int | None:
    """`75%` → 75; `12% · 40 votes` → 12; anything else → None."""
    if len(line) > 40 or "%" not in line:
        return None
    m = _PERCENT.fullmatch(line)
    if m is None:
        return None
    value = int(m.group(1))
    return value if value <= 100 else None


def parse_community(line: str) -> int | None:
    """A community value: a percent, or None for `—`, blank, `No community votes yet`."""
    if line in NO_VALUE:
        return None
    return parse_percent(line)


def parse_score(line: str) -> tuple[int, str] | None:
    """`85/100 · ship` → (85, 'ship'); the verdict is lowercased."""
    if len(line) > 40 or "100" not in line:  # cheap pre-test: called on every review line
        return None
    m = _SCORE.fullmatch(line)
    if m is None:
        return None
    score = int(m.group(1))
    if score > 100:
        return None
    return score, m.group(2).lower()


def parse_panel_verdict(line: str) -> tuple[str, int, int] | None:
    """`Ship · 3 ship / 1 skip` → ('Ship', 3, 1)."""
    m = _PANEL.fullmatch(line)
    if m is None:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3))
