"""A comparison page → `Comparison`: the entry point (layout, title, truncation).

The page's own content runs from the `AI tool comparison` heading to the newsletter
footer (`Weekly AI Tool Verdicts`). When that footer is missing (or an HTML document
lacks `</html>`), the capture was cut short: the record is marked truncated, and the last
visible line is never trusted, since it may be cut mid-word. Everything read from the
remaining lines is whole; anything whose end is not in sight is left null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import page as _page
from .errors import ParseError
from .media import HTML_TYPES, media_type
from .review import Review, notation, parse_compact, parse_full
from .tool_card import CardFields, ToolCard, build_tool, parse_cards, parse_decision
from .url import comparison_slugs

HEADING = _page.HEADING
NEWSLETTER = _page.NEWSLETTER
DECISION = "Decision"
SCORECARD = "Reviewer scorecard"
_VS = " vs "


@dataclass(frozen=True, slots=True)
class Comparison:
    """One capture of a comparison page, as shown: two tools and the panel's reviews."""

    url: str | None
    layout: str | None  # "full" | "compact"; None only when cut before it shows
    title: str
    truncated: bool
    tools: tuple[ToolCard, ...]
    reviews: tuple[Review, ...]

    def to_dict(self) -> dict[str, object]:
        """The public JSON shape (`verdicts parse` prints one per line); key order is fixed."""
        return {
            "url": self.url,
            "layout": self.layout,
            "title": self.title,
            "truncated": self.truncated,
            "tools": [t.to_dict() for t in self.tools],
            "reviews": [r.to_dict() for r in self.reviews],
        }


_BOM = b"\xef\xbb\xbf"


def decode(content: bytes | str) -> str:
    """Bytes are UTF-8 (a cut multi-byte char becomes U+FFFD); a BOM is dropped."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    return text[1:] if text.startswith("\ufeff") else text


def _is_html(content: str | bytes, content_type: str | None) -> bool:
    """HTML or text, by the declared media type; sniffed when it is neither."""
    media = media_type(content_type)
    if media in HTML_TYPES:
        return True
    if media == "text/plain":
        return False
    return _page.looks_like_html(content)


def parse_comparison(
    content: bytes | str, *, url: str | None = None, content_type: str | None = None
) -> Comparison:
    """Parse one capture of a comparison page (HTML or its text rendering).

    `url` is the caller's URL (a `--url` option, a WARC-Target-URI); without one, an
    HTML page's canonical link is used. `content_type` is `text/html` or `text/plain`;
    None sniffs. Raises ParseError for anything that is not a comparison page, or one
    cut short before its title.
    """
    if isinstance(content, bytes):
        if content.startswith(_BOM):
            content = content[3:]
        if _is_html(content, content_type):
            # HTML bytes go straight to Lexbor, which reads UTF-8 itself.
            pg = _page.from_html(content, want_canonical=url is None)
            return from_page(pg, url=url, raw=content)
        text = decode(content)
        return from_page(_page.from_text(text), url=url, raw=text)
    if not isinstance(content, str):
        raise ParseError(f"cannot parse a {type(content).__name__}: expected bytes or str")
    text = decode(content)
    if _is_html(text, content_type):
        pg = _page.from_html(text, want_canonical=url is None)
    else:
        pg = _page.from_text(text)
    return from_page(pg, url=url, raw=text)


def from_page(pg: _page.Page, *, url: str | None = None, raw: str | bytes = "") -> Comparison:
    """A page's visible lines → Comparison (the part after markup; `raw` is the decoded
    input, only looked at to explain a ParseError). Shared with the benchmark's
    BeautifulSoup baseline, which produces the lines its own way."""
    if url is None:
        url = pg.canonical
    lines = pg.lines
    h = _heading_index(lines)
    if h < 0:
        raise ParseError(_diagnose(pg, raw, url))
    try:
        end = lines.index(NEWSLETTER, h + 1)
    except ValueError:
        end = -1
    complete = end >= 0
    truncated = not complete or not pg.closed
    # Content lines after the heading; a cut page loses its last (maybe partial) line.
    window = lines[h + 1 : end] if complete else lines[h + 1 : -1]
    if not window:
        raise ParseError("comparison page cut short before the title")
    title = window[0]
    names = _title_names(title, window)
    if names is None:
        raise ParseError(f"comparison page without an 'A vs B' title (found {title[:60]!r})")
    body = window[1:]

    n = len(body)
    d = _find(body, DECISION)
    s = _find(body, SCORECARD)
    cards_end = n
    if 0 <= d < cards_end:
        cards_end = d
    if 0 <= s < cards_end:
        cards_end = s
    cards = parse_cards(body[:cards_end], names)

    decision = None
    if d >= 0 and (s < 0 or d < s):
        dec_end = s if s >= 0 else n
        decision = parse_decision(body[d + 1 : dec_end], names)
    rows: list[dict[str, str]] = decision.rows if decision else [{}, {}]

    slugs = comparison_slugs(url)
    tools = (
        build_tool(1, slugs[0], names[0], cards[0], rows[0]),
        build_tool(2, slugs[1], names[1], cards[1], rows[1]),
    )

    reviews: list[Review] = []
    layout = None
    if s >= 0:
        region = body[s + 1 :]
        kind = notation(region)
        if kind == "score":
            layout = "full"
            reviews = parse_full(region, complete, (_votes(tools[0]), _votes(tools[1])))
        elif kind == "quote":
            layout = "compact"
            reviews = parse_compact(region, complete)
    if layout is None:
        layout = _layout_from_cards(lines[:h], decision is not None, cards)
    return Comparison(
        url=url,
        layout=layout,
        title=title,
        truncated=truncated,
        tools=tools,
        reviews=tuple(reviews),
    )


def _votes(tool: ToolCard) -> tuple[int, int] | None:
    """(ship, skip) from the Decision table, if it showed them."""
    if tool.ship_votes is None or tool.skip_votes is None:
        return None
    return tool.ship_votes, tool.skip_votes


def _heading_index(lines: list[str]) -> int:
    """The `AI tool comparison` heading: the first one followed by an `A vs B` title (a
    link with that text in kept chrome must not win), else the first one, else -1."""
    first = -1
    start = 0
    while True:
        try:
            i = lines.index(HEADING, start)
        except ValueError:
            return first
        if first < 0:
            first = i
        if i + 1 < len(lines) and _VS in lines[i + 1]:
            return i
        start = i + 1


def _find(lines: list[str], label: str) -> int:
    try:
        return lines.index(label)
    except ValueError:
        return -1


def _title_names(title: str, window: list[str]) -> tuple[str | None, str | None] | None:
    """The two names in `A vs B`; None if the title has no ` vs ` at all.

    With more than one ` vs ` the split is ambiguous; the one whose both halves appear
    as lines of the page wins, else the names stay unknown (the cards still show them).
    """
    count = title.count(_VS)
    if count == 0:
        return None
    if count == 1:
        a, b = title.split(_VS)
        return (a or None, b or None)
    seen = set(window[1:])
    parts = title.split(_VS)
    for k in range(1, len(parts)):
        a, b = _VS.join(parts[:k]), _VS.join(parts[k:])
        if a in seen and b in seen:
            return a, b
    return None, None


def _layout_from_cards(
    before: list[str], has_decision: bool, cards: list[CardFields]
) -> str | None:
    """Layout when the scorecard is not in sight: Decision, breadcrumb, avatar or badge
    mean full; a first card read up to its stats with neither avatar nor badge, compact."""
    if has_decision:
        return "full"
    if any(x.startswith("Compare/") and _VS in x for x in before):
        return "full"
    if any(c.avatar or c.badge for c in cards):
        return "full"
    if cards[0].stats_seen and cards[0].name is not None:
        return "compact"
    return None


# ------------------------------------------------------------------- not a comparison

_PERSPECTIVE = re.compile(r"The ([A-Z][a-z]+) — .*Perspective")
_SHIPS = re.compile(r"\d+ ships? · \d+ skips?")
_TEN = re.compile(r"\d+(?:\.\d+)?\s*/\s*10")
_TEN_VERDICT = re.compile(r"\d+(?:\.\d+)?\s*/\s*10 · [A-Z][a-z]+")  # reviewer page lists
_STATUS = re.compile(r"[45]\d\d(?:\s*(?:—|–|-|:)\s*.+)?")  # `404`, `410 — This … removed`


def _other_page_kind(lines: list[str], path: str) -> str | None:
    """'tool' or 'reviewer' when the page looks like one of the site's other pages. The
    URL decides first; then the tool page's own vote tally ("3 ships · 1 skip"), since a
    tool page with one panel review shows one critic, like a reviewer page."""
    if path.startswith("/tool/"):
        return "tool"
    if path.startswith("/reviewer/") or any(_TEN_VERDICT.fullmatch(x) for x in lines):
        return "reviewer"
    if any(_SHIPS.fullmatch(x) for x in lines):
        return "tool"
    personas = {m.group(1) for x in lines if (m := _PERSPECTIVE.fullmatch(x))}
    if len(personas) == 1:
        return "reviewer"
    if personas or any(_TEN.fullmatch(x) for x in lines):
        return "tool"
    return None


def _diagnose(pg: _page.Page, raw: str | bytes, url: str | None) -> str:
    """A one-line reason why a page without the comparison heading is not parsed."""
    lines = pg.lines
    text = decode(raw[:8192]) if isinstance(raw, bytes) else raw
    if not text or text.isspace():
        return "empty input: nothing to parse"
    bad = sum(1 for ch in text[:4096] if ch == "\ufffd" or (ch < " " and ch not in "\t\r\n\f"))
    if bad > max(8, len(text[:4096]) // 50):
        return "not a comparison page: binary or garbage content, not a text page"
    if not lines:
        if pg.is_html and not pg.closed:
            return "comparison page cut short before the title (no visible text)"
        if pg.is_html:
            return "not a comparison page: HTML page has no visible text"
        return "empty input: no visible text"
    path = ""
    if url:
        try:
            path = urlsplit(url).path
        except ValueError:
            path = ""
    incomplete = NEWSLETTER not in lines or (pg.is_html and not pg.closed)
    if incomplete and (
        HEADING.startswith(lines[-1]) or any(x.startswith("Compare/") and _VS in x for x in lines)
    ):
        return "comparison page cut short before the title"
    status = next((x for x in lines[:20] if _STATUS.fullmatch(x)), None)
    if status is not None:
        return f"not a comparison page: looks like an error page ({status[:60]})"
    if "Page not found" in lines or "Not Found" in lines:
        return "not a comparison page: looks like an error page (404 Page not found)"
    kind = _other_page_kind(lines, path)
    if kind is not None:
        return f"not a comparison page: looks like a {kind} page (no 'AI tool comparison' heading)"
    if pg.is_html and not pg.closed:
        return (
            "not a comparison page: no 'AI tool comparison' heading "
            "(and the capture looks cut short)"
        )
    return "not a comparison page: no 'AI tool comparison' heading"
