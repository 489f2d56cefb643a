"""Anything that is not a comparison page is a ParseError with a one-line message; never a
crash, never an empty record."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markups import render_html
from parse_support import golden, seed_bytes

from parsers import Comparison, ParseError, parse_comparison

TOOL_PAGE = """Tools/SmolVLM2 Turbo
Developer Tools
SmolVLM2 Turbo
Sub-2B vision-language model that actually runs on your phone
Ship
3 ships · 1 skip
Panel reviews
The Builder — Developer Perspective
8.5/10
The primitive here is clean: a quantized, exportable VLM checkpoint.
The Skeptic — Market Perspective
7.8/10
Direct competitor is MobileVLM and Google's PaliGemma-3B.
The Founder — Business Perspective
4.5/10
The buyer here is a mobile or embedded developer.
Weekly AI Tool Verdicts
"""

REVIEWER_PAGE = """Reviewers/Builder
The Builder — Developer Perspective
Reviews in Developer Tools
SmolVLM2 Turbo
8.5/10
The primitive here is clean: a quantized, exportable VLM checkpoint.
Mistral Large 3
8.2/10
The primitive here is a hosted LLM with a sandboxed execution runtime.
Weekly AI Tool Verdicts
"""

NOT_FOUND_HTML = """<!DOCTYPE html><html><head><title>404 — Ship or Skip</title></head>
<body><header><nav><a href="/">Ship or Skip</a></nav></header>
<main><h1>404</h1><p>Page not found</p><p>The page you are looking for does not exist.</p>
<a href="/">Back home</a></main></body></html>"""


def _message(content: bytes | str, **kwargs: str) -> str:
    with pytest.raises(ParseError) as info:
        parse_comparison(content, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 200
    return message


def test_tool_page() -> None:
    assert "tool page" in _message(TOOL_PAGE)
    html = (
        "<html><body>" + "".join(f"<p>{x}</p>" for x in TOOL_PAGE.splitlines()) + "</body></html>"
    )
    assert "tool page" in _message(html)
    assert "tool page" in _message(
        "<html><body><p>Hello</p></body></html>", url="https://shiporskip.io/tool/windsurf"
    )


def test_reviewer_page() -> None:
    assert "reviewer page" in _message(REVIEWER_PAGE)
    assert "reviewer page" in _message(
        "Reviews\nSomething\nWeekly AI Tool Verdicts",
        url="https://shiporskip.io/reviewer/builder?category=Developer+Tools",
    )


def test_404_page() -> None:
    message = _message(NOT_FOUND_HTML)
    assert "404" in message and "error page" in message
    assert "404" in _message("Page not found\nBack home")


def test_garbage_bytes() -> None:
    data = random.Random(7).randbytes(6000)
    assert "binary" in _message(data)
    assert "binary" in _message(b"\x00\x01\x02\x03" * 500)
    assert "binary" in _message(b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(3000))


@pytest.mark.parametrize("content", [b"", "", "   \n\t \r\n", b"\xef\xbb\xbf", b"\n\n\n"])
def test_empty_input(content: bytes | str) -> None:
    assert "empty" in _message(content)


def test_html_without_the_heading() -> None:
    page = "<html><body><h1>Welcome to Ship or Skip</h1><p>Latest verdicts</p></body></html>"
    assert "no 'AI tool comparison' heading" in _message(page)


def test_html_with_no_body_text() -> None:
    page = "<html><head><title>x</title><script>var a = 1;</script></head><body> </body></html>"
    assert "no visible text" in _message(page)
    assert "no visible text" in _message(
        "<html><body><script>x()</script><div></div></body></html>"
    )


def test_heading_without_a_title() -> None:
    text = "AI tool comparison\nSomething else entirely\nWeekly AI Tool Verdicts\n"
    assert "'A vs B' title" in _message(text)


def test_wrong_type() -> None:
    assert "expected bytes or str" in _message(12)  # type: ignore[arg-type]


def test_declared_type_wins_over_sniffing() -> None:
    # A text rendering whose lines mention markup is still text when declared so.
    text = seed_bytes("000").replace(b"`pip install`", b"`<div>`")
    got = parse_comparison(text, content_type="text/plain").to_dict()
    assert "`<div>`" in got["reviews"][0]["quote"]


# ------------------------------------------------------------- never crash (fuzz)

_TAGS = ("div", "p", "span", "b", "a", "table", "tr", "td", "script", "style", "svg", "nav",
         "header", "footer", "aside", "template", "noscript", "li", "ul", "br", "img", "em",
         "select", "option", "h1", "button", "form", "math", "iframe", "main",
         "section")  # fmt: skip
_TEXTS = ("AI tool comparison", "A vs B", "Panel ship", "75%", "Community", "—", "Entry",
          "Decision", "Panel verdict", "Ship · 3 ship / 1 skip", "Reviewer scorecard",
          "Builder", "85/100 · ship", "“quote”", "Weekly AI Tool Verdicts", "&mdash;", " ",
          "\n", "x", "<!-- c -->", "&#", "\ufffd", "<", ">")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(_TEXTS),
), max_size=80))  # fmt: skip
def test_random_tag_soup_never_crashes(parts: list[str]) -> None:
    page = "<html><body>" + "".join(parts)
    try:
        result = parse_comparison(page)
    except ParseError as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(result, Comparison) and result.title


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=2000))
def test_arbitrary_input_never_crashes(content: bytes | str) -> None:
    try:
        result = parse_comparison(content)
    except ParseError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert result.title


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_spliced_pages_never_crash(data: st.DataObject) -> None:
    """Pieces of real pages glued in random order: a record or a ParseError."""
    page = render_html(golden("002"), "inline", url="https://shiporskip.io/compare/a-vs-b")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(page)), min_size=2, max_size=8)))
    pieces = [page[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    spliced = "".join(data.draw(st.permutations(pieces)))
    try:
        parse_comparison(spliced)
    except ParseError as e:
        assert "\n" not in str(e)
