"""How much work an HTML page's tree costs to build, estimated before it is parsed.

Lexbor's tree builder (like any HTML5 parser) walks the stack of open elements for many
start tags, so deeply nested markup costs quadratic time in C code that Python cannot
interrupt: 100,000 nested <div>s take 60 s. :func:`check_nesting` refuses such a page
up front, in one C-speed pass over its tags, so that parse time stays bounded by the
page's size. It is deterministic (no clock): the same bytes are always refused or never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from operator import sub

from .errors import ParseError

__all__ = ["MAX_NESTING_WORK", "Nesting", "check_nesting", "nesting_work"]

#: The most nesting work a page may cost (see :func:`nesting_work`). Building an HTML tree
#: walks the stack of open elements for many start tags (is a <p> open in button scope?),
#: so N nested elements cost ~N²/2 steps: 100,000 nested <div>s take Lexbor 60 s, and no
#: Python code can interrupt it. This budget passes any real page (a comparison page
#: costs ~10⁴, an 8 MB page of depth 100 under 2·10⁸) and stops a nesting bomb at about
#: 20,000 levels, which Lexbor builds in about a second.
MAX_NESTING_WORK = 200_000_000
_VOID = "area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr"
_TAG_S = re.compile(rf"<(/?)(?!(?:{_VOID})[\s/>])[a-zA-Z]", re.IGNORECASE)
_TAG_B = re.compile(rf"<(/?)(?!(?:{_VOID})[\s/>])[a-zA-Z]".encode(), re.IGNORECASE)
_STEP: dict[str | bytes, int] = {"": 1, "/": -1, b"": 1, b"/": -1}
_CHUNK = 1 << 18  # tags are counted 256 KiB at a time: bounded memory on any page


@dataclass(frozen=True, slots=True)
class Nesting:
    """What a page's markup costs to build: `work` (the sum over tags of the number of
    elements open there) and `depth` (the most open at once), both estimated from the
    tags alone, without parsing: void elements never open, an end tag closes one."""

    work: int
    depth: int


def nesting_work(html: str | bytes) -> Nesting:
    """Estimate the tree-building work of `html` in one C-speed pass (a regex, then
    `accumulate`), 256 KiB at a time. The depth never drops below zero: a stray end tag
    cannot buy credit for the tags after it. An upper bound, never below the real cost:
    tags implicitly closed (<p>, <li>) still count as open."""
    level = floor = work = deepest = 0
    for pos in range(0, len(html), _CHUNK):
        marks: list[str] | list[bytes] = (
            _TAG_B.findall(html, pos, pos + _CHUNK) if isinstance(html, bytes)
            else _TAG_S.findall(html, pos, pos + _CHUNK)
        )  # fmt: skip
        if not marks:
            continue
        levels = list(accumulate(map(_STEP.__getitem__, marks), initial=level))[1:]
        floors = list(accumulate(levels, min, initial=floor))[1:]
        work += sum(levels) - sum(floors)  # depth = level above the lowest level so far
        deepest = max(deepest, max(map(sub, levels, floors)))
        level, floor = levels[-1], min(floors[-1], 0)
    return Nesting(work, deepest)


def check_nesting(html: str | bytes, limit: int = MAX_NESTING_WORK) -> None:
    """Raise ParseError if building `html`'s tree costs more than `limit` (see
    :func:`nesting_work`). Free for ordinary pages: with T tags the work is at most
    T(T+1)/2, so a page with few tags is passed on its length (a tag takes two
    characters at least) or a count of its '<'s alone."""
    most = len(html) // 2
    if most * (most + 1) // 2 <= limit:
        return
    tags = html.count(b"<") if isinstance(html, bytes) else html.count("<")
    if tags * (tags + 1) // 2 <= limit:
        return
    cost = nesting_work(html)
    if cost.work > limit:
        raise ParseError(
            f"page nested too deeply to parse: about {cost.depth:,} levels of elements, "
            f"{cost.work:,} tree-building steps over the budget of {limit:,}"
        )
