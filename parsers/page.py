"""A page (HTML or a text rendering) → its visible lines, one visible element per line.

Both inputs end up in the same shape, so the comparison parser works on lines only and
never looks at markup: HTML text inside inline elements joins into the current line,
block elements (and anything not known to be inline) break lines, comments vanish,
whitespace collapses, empty lines go. Page chrome is dropped: scripts, styles, templates,
SVG, every <nav>, <aside> outside an article or section, and the site-level
<header>/<footer> (a header inside an article or section is the content's own, as in
HTML-AAM), except an element that holds the page's own heading or its newsletter footer,
which bound the content.

The HTML walk stays in C as much as it can (Lexbor via selectolax): one Python pass
over the elements collects what to drop and what to unwrap, then Lexbor unwraps inline
elements, merges the text nodes they leave behind, and joins text nodes with a separator
that cannot occur in HTML text (NUL), so each text node is exactly one line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .nesting import MAX_NESTING_WORK, check_nesting

HEADING = "AI tool comparison"
NEWSLETTER = "Weekly AI Tool Verdicts"

INLINE_TAGS = (
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "picture",
    "output", "meter", "progress",
)  # fmt: skip
SKIP_TAGS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "select", "textarea", "datalist", "dialog",
)  # fmt: skip
CHROME_TAGS = ("nav", "aside", "header", "footer")
# As in HTML-AAM: a header/footer inside one of these is that content's own (a card's
# header), not the site's banner/contentinfo; an aside is complementary (chrome: related
# links, bookmarks) unless it sits inside an article or section.
SECTIONING_TAGS = ("article", "main", "section", "aside", "nav")
ASIDE_SCOPES = ("article", "section", "aside", "nav")

_MARKUP_START = re.compile(r"[\ufeff \t\r\n\f\v]*<")
_MARKUP_TAG = re.compile(r"<(?:html|body|div)\b", re.IGNORECASE)
_MARKUP_START_B = re.compile(rb"[ \t\r\n\f\v]*<")
_MARKUP_TAG_B = re.compile(rb"<(?:html|body|div)\b", re.IGNORECASE)
_SPACES = re.compile("  +")


def collapse_lines(text: str, sep: str) -> list[str]:
    """Split `text` at `sep`; collapse ASCII whitespace runs; strip; drop empty lines.

    Inside a line only ASCII whitespace collapses, as in a browser (CSS `white-space:
    normal`); at the ends any whitespace goes, NBSP too, so a cell holding only `&nbsp;`
    is an empty line. This works on the whole text at once with C-speed passes
    (`in`/`replace` on one char, one regex with a literal prefix), which is several
    times cheaper than a split/join over every word of every paragraph.
    """
    for ch in "\n\t\r\f":
        if ch != sep and ch in text:
            text = text.replace(ch, " ")
    text = _SPACES.sub(" ", text)  # its literal-prefix scan beats `"  " in text`
    return list(filter(None, map(str.strip, text.split(sep))))


def _sample_root(markup: str) -> LexborNode:
    """The root node of a parsed sample document (module set-up: always there)."""
    root = LexborHTMLParser(markup).root
    if root is None:  # pragma: no cover - a Lexbor change we want to hear about
        raise RuntimeError("Lexbor gave no document root")
    return root


def _tag_ids(names: tuple[str, ...]) -> frozenset[int]:
    """Lexbor's numeric ids for `names`: an int set lookup is the cheapest test per node."""
    root = _sample_root("<body>" + "".join(f"<{n}></{n}>" for n in names) + "</body>")
    found = {n.tag_id for n in root.traverse() if n.tag in names}
    if len(found) != len(names):  # pragma: no cover - a Lexbor change we want to hear about
        raise RuntimeError("unexpected Lexbor tag ids")
    return frozenset(found)


_SECTIONING_IDS = _tag_ids(SECTIONING_TAGS)
_ASIDE_SCOPE_IDS = _tag_ids(ASIDE_SCOPES)
_INLINE, _SKIP, _NAV, _SITE_LEVEL, _ASIDE = 1, 2, 3, 4, 5
# The walk also meets comment nodes: they go too, so that the text on both sides of one
# joins up (React writes `85<!-- -->/100`).
_COMMENT_ID = next(
    n.tag_id for n in _sample_root("<p><!--x--></p>").traverse() if n.is_comment_node
)
_KINDS: dict[int, int] = {
    _COMMENT_ID: _SKIP,
    **dict.fromkeys(_tag_ids(INLINE_TAGS), _INLINE),
    **dict.fromkeys(_tag_ids(SKIP_TAGS), _SKIP),
    **dict.fromkeys(_tag_ids(("nav",)), _NAV),
    **dict.fromkeys(_tag_ids(("header", "footer")), _SITE_LEVEL),
    **dict.fromkeys(_tag_ids(("aside",)), _ASIDE),
}


@dataclass(frozen=True, slots=True)
class Page:
    """Visible lines of a page, and what the raw input says about its completeness."""

    lines: list[str]
    is_html: bool
    closed: bool  # HTML: the document ends with `</html>`; text: always True
    canonical: str | None = None


def looks_like_html(content: str | bytes) -> bool:
    """Sniff: markup at the start (after BOM/whitespace), or html/body/div tags anywhere."""
    if isinstance(content, bytes):
        if _MARKUP_START_B.match(content):
            return True
        return b"<" in content and _MARKUP_TAG_B.search(content) is not None
    if _MARKUP_START.match(content):
        return True
    return "<" in content and _MARKUP_TAG.search(content) is not None


def from_text(text: str) -> Page:
    """A text rendering: one visible element per line; whitespace collapsed, blanks dropped."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Page(collapse_lines(text, "\n"), is_html=False, closed=True)


def from_html(
    html: str | bytes,
    *,
    want_canonical: bool = False,
    max_nesting_work: int | None = MAX_NESTING_WORK,
) -> Page:
    """HTML → visible lines (see the module docstring for the rules).

    Bytes go to Lexbor as they are (it reads them as UTF-8, a broken sequence becoming
    U+FFFD, like `bytes.decode(errors="replace")`): no decode here and no re-encode there.
    A page whose markup would cost more than `max_nesting_work` (see
    :func:`check_nesting`; None: no limit) is a ParseError before Lexbor sees it.
    """
    if max_nesting_work is not None:
        check_nesting(html, max_nesting_work)
    closed = _ends_with_html_close(html)
    tree = LexborHTMLParser(html)
    canonical = _canonical(tree) if want_canonical else None
    body = tree.body
    if body is None:
        return Page([], is_html=True, closed=closed, canonical=canonical)

    kinds = _KINDS
    inline: list[LexborNode] = []
    drop: list[LexborNode] = []
    maybe_chrome: list[tuple[LexborNode, int]] = []
    keep_inline = inline.append
    for node in body.traverse():
        kind = kinds.get(node.tag_id)  # one dict probe; None for the common block tags
        if kind is None:
            continue
        if kind == _INLINE:
            keep_inline(node)
        elif kind == _SKIP:
            drop.append(node)
        else:
            maybe_chrome.append((node, kind))
    drop += _chrome(body, maybe_chrome)
    # Detaching a subtree is one pointer update; a node under an already detached one is
    # detached from a detached parent, which is harmless.
    for node in drop:
        node.decompose(recursive=False)
    for node in inline:
        node.unwrap(True)
    body.merge_text_nodes()

    lines = collapse_lines(body.text(separator="\x00", skip_empty=True), "\x00")
    return Page(lines, is_html=True, closed=closed, canonical=canonical)


#: Up to this many candidate chrome elements, each is checked on its own (a walk up its
#: ancestors and its text: linear per candidate); more go through :class:`_ChromeFinder`,
#: which shares the work between them, so that nested candidates cost linear time too.
_FEW_CANDIDATES = 16


def _chrome(body: LexborNode, candidates: list[tuple[LexborNode, int]]) -> list[LexborNode]:
    """The candidates (nav/aside/header/footer with their kind) that are page chrome."""
    if len(candidates) <= _FEW_CANDIDATES:
        return [node for node, kind in candidates if _is_chrome(node, kind)]
    return _ChromeFinder(body).chrome(candidates)


def _is_chrome(node: LexborNode, kind: int) -> bool:
    """A <nav>, an <aside> outside any article/section, or the site's own header/footer
    (outside any article, main, section…), unless it holds the page's heading or its
    newsletter footer."""
    if kind != _NAV:
        scopes = _SECTIONING_IDS if kind == _SITE_LEVEL else _ASIDE_SCOPE_IDS
        parent = node.parent
        while parent is not None:
            if parent.tag_id in scopes:
                return False
            parent = parent.parent
    text = node.text()
    return HEADING not in text and NEWSLETTER not in text


class _ChromeFinder:
    """:func:`_is_chrome` for many candidates at once, in time linear in the page.

    Checked one by one, nested candidates cost quadratic time: each walks up all its
    ancestors, and each one's text covers all the nested ones' (100,000 nested <header>s
    did not finish in 600 s). Here every ancestor walk stops at the first node an earlier
    walk has answered for, and one pass over the body's text nodes gives each candidate
    its span of the body text: a candidate holds the heading (or the newsletter footer)
    when an occurrence of it in the body text lies wholly inside its span, exactly as
    when it is found in ``node.text()``.
    """

    def __init__(self, body: LexborNode) -> None:
        self.body = body
        self.scoped: dict[int, dict[int, bool]] = {}  # scope ids → node mem_id → inside?
        self.after: dict[int, int | None] = {}  # mem_id → first node after its subtree

    def chrome(self, candidates: list[tuple[LexborNode, int]]) -> list[LexborNode]:
        """The candidates that are chrome, in document order."""
        unscoped = [
            node for node, kind in candidates
            if kind == _NAV or not self._inside(
                node, _SECTIONING_IDS if kind == _SITE_LEVEL else _ASIDE_SCOPE_IDS)
        ]  # fmt: skip
        if not unscoped:
            return []
        spans, text = self._spans(unscoped)
        marks = [(_occurrences(text, w), len(w)) for w in (HEADING, NEWSLETTER)]
        return [
            node for node, (start, end) in zip(unscoped, spans, strict=True)
            if not any(_occurs_within(at, size, start, end) for at, size in marks)
        ]  # fmt: skip

    def _inside(self, node: LexborNode, scopes: frozenset[int]) -> bool:
        """Has `node` an ancestor whose tag is in `scopes`? (memoized per ancestor)"""
        memo = self.scoped.setdefault(id(scopes), {})
        path: list[int] = []
        parent = node.parent
        answer = False
        while parent is not None:
            key = parent.mem_id
            known = memo.get(key)
            if known is not None:
                answer = known
                break
            if parent.tag_id in scopes:
                answer = memo[key] = True
                break
            path.append(key)
            parent = parent.parent
        memo.update(dict.fromkeys(path, answer))
        return answer

    def _after(self, node: LexborNode) -> int | None:
        """The mem_id of the first node after `node`'s subtree in document order (None:
        the end of the body), memoized along the way up."""
        path: list[int] = []
        answer: int | None = None
        current: LexborNode | None = node
        while current is not None and current.mem_id != self.body.mem_id:
            key = current.mem_id
            if key in self.after:
                answer = self.after[key]
                break
            path.append(key)
            following = current.next
            if following is not None:
                answer = following.mem_id
                break
            current = current.parent
        self.after.update(dict.fromkeys(path, answer))
        return answer

    def _spans(self, nodes: list[LexborNode]) -> tuple[list[tuple[int, int]], str]:
        """Each node's [start, end) in the body's text (the concatenated text nodes, as
        ``text()`` joins them), and that text."""
        starts = dict.fromkeys((n.mem_id for n in nodes), -1)
        ends: dict[int, int] = {}
        ending_at: dict[int | None, list[int]] = {}
        for node in nodes:
            ending_at.setdefault(self._after(node), []).append(node.mem_id)
        pieces: list[str] = []
        offset = 0
        for node in self.body.traverse(include_text=True):
            key = node.mem_id
            if key in ending_at:
                ends.update(dict.fromkeys(ending_at.pop(key), offset))
            if key in starts:
                starts[key] = offset
            if node.is_text_node:
                piece = node.text_content or ""
                pieces.append(piece)
                offset += len(piece)
        ends.update(dict.fromkeys(ending_at.pop(None, ()), offset))
        if ending_at or min(starts.values()) < 0:  # pragma: no cover - a Lexbor change
            raise RuntimeError("the body traversal missed a node")
        spans = [(starts[n.mem_id], ends[n.mem_id]) for n in nodes]
        return spans, "".join(pieces)


def _occurrences(text: str, needle: str) -> list[int]:
    """Every start offset of `needle` in `text`, overlapping ones too, in order."""
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _occurs_within(found: list[int], size: int, start: int, end: int) -> bool:
    """Does one of the occurrences at `found` (each `size` long) lie within [start, end)?
    The first one at or after `start` ends soonest, so it is the only one to check."""
    i = bisect_left(found, start)
    return i < len(found) and found[i] + size <= end


def _ends_with_html_close(html: str | bytes) -> bool:
    """Does the document end with `</html>` (trailing whitespace aside)? Looks at the tail
    only: `rstrip()` on the whole document would copy it."""
    tail = html[-512:].rstrip()
    if not tail and len(html) > 512:
        tail = html.rstrip()
    end = tail[-7:].lower()
    return end == (b"</html>" if isinstance(end, bytes) else "</html>")


def _canonical(tree: LexborHTMLParser) -> str | None:
    """The page's `<link rel="canonical" href>`, if any."""
    for node in tree.tags("link"):
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        href = attrs.get("href")
        if "canonical" in rel and href and href.strip():
            return href.strip()
    return None
