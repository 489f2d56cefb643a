"""Captures cut short anywhere give back what is whole, marked truncated, nothing guessed.

Each seed, as text and as every HTML markup, is cut at every line boundary and at a spread
of byte offsets (inside tags, numbers, quotes, multi-byte characters). Every cut must give
either a record whose every non-null value is the golden value at that position, or (only
before the title is whole) a one-line ParseError.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markups import render_html
from parse_support import (
    SEED_IDS,
    assert_consistent,
    expected_with_url,
    golden,
    nonnull_count,
    seed_bytes,
)
from truncation_support import FORMS, check_cut, cut_points, page_form

from parsers import ParseError, parse_comparison


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_every_cut(seed_id: str, form: str) -> None:
    data, want = page_form(seed_id, form)
    step = 7 if form == "text" else 23
    records = 0
    for k in cut_points(data, step):
        if check_cut(data, k, form, want) is not None:
            records += 1
    assert records > 100


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_longer_captures_give_back_more(seed_id: str) -> None:
    """Cutting later never loses a value: what is whole stays whole."""
    data = seed_bytes(seed_id)
    ends = [i + 1 for i, byte in enumerate(data) if byte == 0x0A] + [len(data)]
    last = -1
    for k in ends:
        try:
            got = parse_comparison(data[:k]).to_dict()
        except ParseError:
            continue
        count = nonnull_count(got)
        assert count >= last, k
        last = count


@settings(max_examples=150, deadline=None)
@given(seed_id=st.sampled_from(SEED_IDS), form=st.sampled_from(FORMS), where=st.floats(0, 1))
def test_random_cut(seed_id: str, form: str, where: float) -> None:
    data, want = page_form(seed_id, form)
    check_cut(data, int(where * len(data)), form, want)


# ---------------------------------------------------------------- targeted cuts


def _cut_text(seed_id: str, marker: str, extra: int = 0) -> dict[str, Any]:
    data = seed_bytes(seed_id)
    k = data.index(marker.encode("utf-8")) + extra
    return parse_comparison(data[:k]).to_dict()


def test_cut_mid_second_description_keeps_first_card() -> None:
    got = _cut_text("002", "Mistral 3 Small is a 7-billion", 40)
    want = golden("002")
    a, b = got["tools"]
    assert got["truncated"] and got["layout"] == "full" and got["reviews"] == []
    decision_only = ("panel_verdict", "ship_votes", "skip_votes", "pricing", "best_for")
    for key, value in a.items():
        assert value == (None if key in decision_only else want["tools"][0][key]), key
    for key in ("name", "category", "tagline", "badge", "panel_ship_pct", "entry"):
        assert b[key] == want["tools"][1][key]
    assert b["description"] is None


def test_cut_mid_decision_keeps_whole_rows() -> None:
    got = _cut_text("003", "API pricing per token", 10)
    a, b = got["tools"]
    assert (a["panel_verdict"], a["ship_votes"], a["skip_votes"]) == ("Ship", 4, 0)
    assert (b["panel_verdict"], b["ship_votes"], b["skip_votes"]) == ("Ship", 3, 1)
    assert a["pricing"] is None and b["pricing"] is None
    assert a["best_for"] is None and a["description"] == golden("003")["tools"][0]["description"]


def test_cut_mid_number_drops_that_review() -> None:
    got = _cut_text("002", "52/100", 4)  # "52/1"
    # The cut line could as well be one more paragraph of Founder A's text, which runs to
    # the last whole line: Founder A goes too, not only the review whose score was cut.
    assert len(got["reviews"]) == 6
    assert_consistent(got, golden("002"))
    assert got["reviews"][-1]["persona"] == "Futurist"


def test_cut_in_the_last_text_keeps_an_open_block_unplaced() -> None:
    got = _cut_text("002", "The buyer here is an enterprise", 20)  # Founder B's text
    assert len(got["reviews"]) == 7  # Founder B's score is whole, its text is not
    assert_consistent(got, golden("002"))
    # The Founder block is open: its lone review could still be either tool's.
    assert got["reviews"][-1]["persona"] == "Founder"
    assert got["reviews"][-1]["tool_position"] is None


def test_cut_mid_quote_keeps_earlier_quotes_without_guessing() -> None:
    got = _cut_text("000", "Direct competitors here are GPT-4o", 30)
    want = golden("000")
    assert [r["quote"] for r in got["reviews"]] == [r["quote"] for r in want["reviews"][:3]]
    assert all(r["persona"] is None and r["tool_position"] is None for r in got["reviews"])
    assert all(r["persona_inferred"] is False for r in got["reviews"])


def test_cut_inside_a_multibyte_character() -> None:
    data = seed_bytes("004")
    k = data.index("—".encode()) + 1  # one byte into an em dash, inside a description
    got = parse_comparison(data[:k]).to_dict()
    assert got["truncated"]
    assert_consistent(got, golden("004"))
    assert got["tools"][0]["description"] is None


def test_cut_right_after_the_title() -> None:
    data = seed_bytes("001")
    k = data.index(b"Which one") + 5
    got = parse_comparison(data[:k]).to_dict()
    assert got["title"] == "SmolVLM2 vs Mistral Large 3" and got["truncated"]
    assert [t["name"] for t in got["tools"]] == ["SmolVLM2", "Mistral Large 3"]
    assert got["reviews"] == []


@pytest.mark.parametrize("k", [0, 5, 20, 25])
def test_cut_before_the_title_raises(k: int) -> None:
    data = seed_bytes("000")[: len("AI tool comparison\n") + k]
    with pytest.raises(ParseError, match="cut short before the title"):
        parse_comparison(data)


def test_html_cut_in_head_raises_cut_short() -> None:
    page = render_html(golden("002"), "semantic", url="https://shiporskip.io/compare/a-vs-b")
    with pytest.raises(ParseError, match="cut short"):
        parse_comparison(page[: page.index("<body>")])


def test_html_without_closing_tag_is_truncated_but_whole() -> None:
    url, want = expected_with_url(golden("003"))
    page = render_html(golden("003"), "divs", url=url, closing=False)
    assert parse_comparison(page).to_dict() == dict(want, truncated=True)
