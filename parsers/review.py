"""The reviewer scorecard → `Review`s.

Full layout: a persona heading, then for each tool a score line (`85/100 · ship`) and the
review text: every line up to the next score line, the next persona heading or the end of
the scorecard, one paragraph per line. A block with two reviews is tool A then tool B; a
block with one review (a 3-reviewer panel on one side) is placed from the Decision vote
totals when they decide it.

Compact layout: only the review texts, each in curly quotes. They come in persona order,
tool A then tool B for each persona, but only the known 8-quote pattern is trusted for
persona names; any other count gets no persona (and positions only when even).
"""

from __future__ import annotations

from dataclasses import dataclass

from .page import HEADING, NEWSLETTER
from .persona import compact_personas, is_persona_heading
from .verdict import parse_score

OPEN_QUOTE = "“"
CLOSE_QUOTE = "”"
# Lines that start another part of the page: the full-layout scorecard ends at the first.
SECTION_LABELS = frozenset({NEWSLETTER, "Bookmarks", "Decision", "Reviewer scorecard", HEADING})


_set = object.__setattr__


@dataclass(frozen=True, slots=True, init=False)
class Review:
    """One reviewer's take on one tool; `persona_inferred` marks compact-layout guesses."""

    tool_position: int | None
    persona: str | None
    persona_inferred: bool
    score: int | None
    verdict: str | None
    quote: str | None

    def __init__(
        self,
        tool_position: int | None,
        persona: str | None,
        persona_inferred: bool,
        score: int | None,
        verdict: str | None,
        quote: str | None,
    ) -> None:
        # Written out: the generated frozen __init__ is twice as slow (8+ per page).
        _set(self, "tool_position", tool_position)
        _set(self, "persona", persona)
        _set(self, "persona_inferred", persona_inferred)
        _set(self, "score", score)
        _set(self, "verdict", verdict)
        _set(self, "quote", quote)

    def to_dict(self) -> dict[str, object]:
        return {
            "tool_position": self.tool_position,
            "persona": self.persona,
            "persona_inferred": self.persona_inferred,
            "score": self.score,
            "verdict": self.verdict,
            "quote": self.quote,
        }


def strip_quotes(text: str) -> str:
    """The text inside a pair of curly quotes wrapping all of it, or the text itself.

    `“2x faster” is the claim; “zero setup” is not` starts and ends with curly quotes
    that do not wrap it: the inside's own quotes must pair up for the outer ones to go.
    """
    if len(text) < 2 or text[0] != OPEN_QUOTE or text[-1] != CLOSE_QUOTE:
        return text
    inner = text[1:-1]
    if OPEN_QUOTE not in inner and CLOSE_QUOTE not in inner:
        return inner.strip()
    depth = 0
    for ch in inner:
        if ch == OPEN_QUOTE:
            depth += 1
        elif ch == CLOSE_QUOTE:
            depth -= 1
            if depth < 0:
                return text
    return inner.strip() if depth == 0 else text


def notation(region: list[str]) -> str | None:
    """Which notation the scorecard uses, by its first review line: score lines (the
    full layout) or curly-quoted texts (compact); None when no review is in sight."""
    for line in region:
        if line.startswith(OPEN_QUOTE):
            return "quote"
        if parse_score(line) is not None:
            return "score"
    return None


# A full-layout block: the persona heading (if any) and its (score, verdict, text) reviews.
_Block = tuple[str | None, list[tuple[int, str, str | None]]]


def parse_full(
    region: list[str],
    closed: bool,
    votes: tuple[tuple[int, int] | None, tuple[int, int] | None],
) -> list[Review]:
    """Full-layout reviews from the lines after `Reviewer scorecard`.

    `votes` is (ship, skip) per tool from the Decision table, if it showed them. `closed`
    says the region is whole; when it is not, its last block may be missing reviews, so
    a lone review there is placed only if the vote totals leave one possibility, and a
    review whose text runs to the region's end is dropped: more paragraphs may follow.
    A line starting another section ends the scorecard (what precedes it is whole).
    """
    for k, line in enumerate(region):
        if line in SECTION_LABELS:
            region, closed = region[:k], True
            break
    blocks = _full_blocks(region, closed)
    positions = _positions(blocks, votes)
    out = []
    for (persona, reviews), pos in zip(blocks, positions, strict=True):
        for (score, verdict, text), p in zip(reviews, pos, strict=True):
            out.append(Review(p, persona, False, score, verdict, text))
    return out


def _full_blocks(region: list[str], closed: bool) -> list[_Block]:
    """The scorecard's persona blocks, each with its reviews in page order."""
    n = len(region)
    scores = [parse_score(x) if len(x) <= 40 else None for x in region]  # texts are long
    blocks: list[_Block] = []

    i = 0
    while i < n:
        scored = scores[i]
        if scored is None:
            if i + 1 < n and scores[i + 1] is not None and is_persona_heading(region[i]):
                blocks.append((region[i], []))
            i += 1
            continue
        # The text: up to the next score line or persona heading (a capitalised word
        # directly followed by a score line), or the end of the region.
        j = i + 1
        while j < n and scores[j] is None:
            if j + 1 < n and scores[j + 1] is not None and is_persona_heading(region[j]):
                break
            j += 1
        if j >= n and not closed:
            break  # the text may go on past the cut: no review rather than part of one
        text = strip_quotes("\n".join(region[i + 1 : j])) if j > i + 1 else None
        i = j
        if not blocks:
            blocks.append((None, []))
        blocks[-1][1].append((scored[0], scored[1], text))
    return blocks


def _positions(
    blocks: list[_Block], votes: tuple[tuple[int, int] | None, tuple[int, int] | None]
) -> list[list[int | None]]:
    """Which tool each review belongs to: A then B in a two-review block; a lone review
    only when the Decision vote totals leave it one possibility."""
    positions: list[list[int | None]] = []
    for _, reviews in blocks:
        if len(reviews) == 2:
            positions.append([1, 2])
        else:
            positions.append([None] * len(reviews))
    va, vb = votes
    if va is None or vb is None:
        return positions
    # Reviews left per tool once the two-review blocks are counted. A lone review goes
    # to a tool only when the other has none left: sound even on a cut page, where
    # the counts are upper bounds.
    pairs = sum(1 for _, reviews in blocks if len(reviews) == 2)
    remaining = {1: sum(va) - pairs, 2: sum(vb) - pairs}
    for (_, reviews), pos in zip(blocks, positions, strict=True):
        if len(reviews) != 1:
            continue
        can_a, can_b = remaining[1] > 0, remaining[2] > 0
        if can_a != can_b:
            p = 1 if can_a else 2
            pos[0] = p
            remaining[p] -= 1
    return positions


def parse_compact(region: list[str], closed: bool) -> list[Review]:
    """Compact-layout reviews: the curly-quoted texts, in page order.

    Personas and positions depend on how many quotes there are in all, so they are only
    given when that count is known: the region is whole, or a non-quote line follows the
    last quote.
    """
    quotes: list[str] = []
    last = -1  # the line that ends the last quote
    cut = False  # a quote without its closing ” on a cut page: the count is unknown
    n = len(region)
    i = 0
    while i < n:
        line = region[i]
        if line[:1] != OPEN_QUOTE:
            i += 1
            continue
        if line[-1] == CLOSE_QUOTE and len(line) >= 2:  # the site's case: one line
            quotes.append(line[1:-1].strip())
            last = i
            i += 1
            continue
        # A multi-paragraph quote runs to its closing ”. Without its closing ” on a cut
        # page it may be cut: dropped.
        j = i
        while j + 1 < n and region[j][-1] != CLOSE_QUOTE and region[j + 1][:1] != OPEN_QUOTE:
            j += 1
        whole = j > i and region[j][-1] == CLOSE_QUOTE
        if not whole and not closed:
            cut = True
            break
        text = "\n".join(region[i : j + 1])[1:]
        quotes.append((text[:-1] if whole else text).strip())
        last = j
        i = j + 1
    count_known = closed or (not cut and 0 <= last < n - 1)
    count = len(quotes)
    personas = compact_personas(count) if count_known else None
    out = []
    for k, text in enumerate(quotes):
        if personas is not None:
            persona, pos = personas[k]
            out.append(Review(pos, persona, True, None, None, text))
        else:
            pos2 = (1 + k % 2) if count_known and count % 2 == 0 else None
            out.append(Review(pos2, None, False, None, None, text))
    return out
