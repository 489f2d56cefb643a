"""Full layout: a review text of several paragraphs (visible blocks) is one quote, its
paragraphs joined with "\\n"; it runs to the next score line, the next persona heading or
the end of the scorecard. A cut page never gives part of one.
"""

from __future__ import annotations

from typing import Any

import pytest
from markups import STYLES, render_html, render_text
from parse_support import assert_consistent, expected_with_url, golden, mutated
from truncation_support import FORMS, check_cut, cut_points

from parsers import parse_comparison

# Skeptic A (then a score line), Futurist B (then the Founder heading), Founder B (then
# the newsletter footer). `Honestly` is a capitalised word, but no score line follows it.
MULTI = {
    2: ("Direct competitor is MobileVLM.", "Honestly", "PaliGemma-3B is the one to beat."),
    5: ("The thesis is falsifiable.", "By 2027 most inference runs at the edge."),
    7: ("The buyer is an enterprise team.", "Pricing is the risk — $3/$15 per MTok."),
}


def _record() -> dict[str, Any]:
    rec = mutated(golden("002"))
    for k, paragraphs in MULTI.items():
        rec["reviews"][k]["quote"] = "\n".join(paragraphs)
    return rec


def _page(form: str) -> tuple[bytes, dict[str, Any]]:
    rec = _record()
    if form == "text":
        return render_text(rec).encode("utf-8"), rec
    url, want = expected_with_url(rec)
    return render_html(rec, form, url=url).encode("utf-8"), want


@pytest.mark.parametrize("form", FORMS)
def test_paragraphs_join_into_one_quote(form: str) -> None:
    data, want = _page(form)
    got = parse_comparison(data).to_dict()
    assert got == want
    reviews = got["reviews"]
    assert reviews[2]["quote"].split("\n") == list(MULTI[2])
    # The review after each multi-paragraph text is still read right.
    assert (reviews[3]["persona"], reviews[3]["tool_position"], reviews[3]["score"]) == (
        "Skeptic", 2, 78,
    )  # fmt: skip
    assert (reviews[6]["persona"], reviews[6]["tool_position"], reviews[6]["score"]) == (
        "Founder", 1, 72,
    )  # fmt: skip


def test_text_with_blank_lines_between_paragraphs_or_none() -> None:
    rec = _record()
    packed = [x for x in render_text(rec).split("\n") if x]
    assert parse_comparison("\n".join(packed)).to_dict() == rec


def test_three_reviewer_block_with_a_multi_paragraph_text() -> None:
    """A lone review's paragraphs stop at the next heading; it is still placed by votes."""
    rec = _record()
    rec["reviews"] = [r for r in rec["reviews"] if (r["persona"], r["tool_position"]) != (
        "Skeptic", 2)]  # fmt: skip
    rec["tools"][1].update(ship_votes=2)
    for form, page in [("text", render_text(rec))] + [
        (s, render_html(rec, s, url=expected_with_url(rec)[0])) for s in STYLES
    ]:
        got = parse_comparison(page).to_dict()
        assert got == (rec if form == "text" else expected_with_url(rec)[1]), form
        assert got["reviews"][2]["quote"].split("\n") == list(MULTI[2])


@pytest.mark.parametrize("form", FORMS)
def test_every_cut_gives_whole_texts_only(form: str) -> None:
    data, want = _page(form)
    records = 0
    for k in cut_points(data, 5 if form == "text" else 17):
        got = check_cut(data, k, form, want)  # every non-null value is the whole one
        if got is None:
            continue
        records += 1
        for r, w in zip(got["reviews"], want["reviews"], strict=False):
            if "\n" in w["quote"]:
                assert r["quote"] == w["quote"], (k, r["quote"])
    assert records > 100


def _cut_after(text: str, marker: str, extra: int = 0) -> dict[str, Any]:
    k = text.index(marker) + len(marker) + extra
    got = parse_comparison(text[:k]).to_dict()
    assert got["truncated"]
    assert_consistent(got, _record())
    return got


@pytest.mark.parametrize(
    ("marker", "extra"),
    [
        ("MobileVLM.", 0),  # at the end of the first paragraph
        ("MobileVLM.", 1),  # between paragraphs
        ("MobileVLM.\n\nHonestly", 1),  # after the second, a one-word paragraph
        ("MobileVLM.\n\nHonestly", 0),  # at its end, as if `Honestly` were cut
        ("Honestly\n\nPaliGemma", 0),  # inside the third
        ("the one to beat.", 0),  # the last paragraph is the capture's last line
        ("the one to beat.", 2),  # ... and then a blank line
    ],
)
def test_cut_inside_and_between_paragraphs(marker: str, extra: int) -> None:
    got = _cut_after(render_text(_record()), marker, extra)
    assert len(got["reviews"]) == 2  # Builder's two; Skeptic A's text may go on
    assert all("MobileVLM" not in (r["quote"] or "") for r in got["reviews"])


def test_cut_once_the_next_score_line_is_whole() -> None:
    text = render_text(_record())
    got = _cut_after(text, "the one to beat.\n\n78/100 · ship\n\nThe category", 3)
    assert len(got["reviews"]) == 3
    assert got["reviews"][2]["quote"].split("\n") == list(MULTI[2])


@pytest.mark.parametrize("extra", [0, 2, 20])
def test_cut_in_the_scorecard_s_last_text(extra: int) -> None:
    text = render_text(_record())
    got = _cut_after(text, "The buyer is an enterprise team.", extra)
    assert len(got["reviews"]) == 7  # Founder B is not emitted until the footer shows
    got = _cut_after(text, "per MTok.\n\n", 0)
    assert len(got["reviews"]) == 7
    k = text.index("Weekly AI Tool Verdicts") + len("Weekly AI Tool Verdicts") + 1
    assert parse_comparison(text[:k]).to_dict()["reviews"] == _record()["reviews"]


def test_another_section_ends_the_scorecard() -> None:
    """A known section label (here a bookmarks widget before the footer) ends the last
    text, and bounds it even on a cut page."""
    lines = render_text(_record()).split("\n")
    i = lines.index("Weekly AI Tool Verdicts")
    lines[i:i] = ["Bookmarks", "", "Loading bookmarks...", ""]
    got = parse_comparison("\n".join(lines)).to_dict()
    assert got == _record()
    cut = parse_comparison("\n".join(lines[: i + 3])).to_dict()
    assert cut["truncated"] and cut["reviews"] == _record()["reviews"]
