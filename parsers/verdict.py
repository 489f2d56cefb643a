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
# The Decision table's community cell with vote counts: `0% Ship (0 / 1)`.
_COMMUNITY_ROW = re.compile(
    r"(\d{1,3})\s*%\s*(?:[A-Za-z]+\s*)?\(\s*(\d{1,3}(?:,\d{3})*|\d+)\s*/\s*"
    r"(\d{1,3}(?:,\d{3})*|\d+)\s*\)"
)


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
    """A community value: a percent (also the Decision row's `0% Ship (0 / 1)` → 0), or
    None for `—`, blank, `No community votes yet`."""
    if line in NO_VALUE:
        return None
    pct = parse_percent(line)
    if pct is None and (row := parse_community_row(line)) is not None:
        return row[0]
    return pct


def parse_community_row(line: str) -> tuple[int, int, int] | None:
    """`0% Ship (0 / 1)` → (0, 0, 1): the shown percent and the two counts, as shown."""
    if len(line) > 60 or "(" not in line:
        return None
    m = _COMMUNITY_ROW.fullmatch(line)
    if m is None:
        return None
    pct = int(m.group(1))
    if pct > 100:
        return None
    return pct, int(m.group(2).replace(",", "")), int(m.group(3).replace(",", ""))


def _fits(pct: int, part: int, whole: int) -> bool:
    """Whether `pct` is 100·part/whole rounded by some convention (down, up, to nearest):
    the site's rounding is not known, so any of them is accepted."""
    if whole <= 0 or part > whole:
        return False
    down = 100 * part // whole
    up = -(-100 * part // whole)
    return down <= pct <= up


def community_counts(pct: int, first: int, second: int) -> tuple[int | None, int | None]:
    """(ship votes, all votes) from the Decision row's `pct% Ship (first / second)`.

    SITE.md leaves open whether the counts are ship / all votes or ship / skip votes. The
    percentage decides: a reading counts when `pct` is 100·ship/all under some rounding.
    Both readings put the ship votes first, so those are known as soon as one reading fits;
    all votes are `second` (ship / all) or `first + second` (ship / skip), so they are known
    when one reading fits, or both fit and agree (first == 0: `0% Ship (0 / 1)` is 0 of 1
    either way). Both fitting with first > 0 (e.g. `1% (1 / 150)`: 1/150 and 1/151 both
    round to 1 %) leaves all votes null; no reading fitting leaves both null.
    """
    as_all = _fits(pct, first, second)
    as_skip = _fits(pct, first, first + second)
    if as_all and as_skip:
        return first, (second if first == 0 else None)
    if as_all:
        return first, second
    if as_skip:
        return first, first + second
    return None, None


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
