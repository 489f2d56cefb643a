"""Value parsers: round trips through the site's notation; partial figures never parse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parse_support import format_panel_verdict, format_percent, format_score

from parsers.persona import COMPACT_ORDER, compact_personas, is_persona_heading
from parsers.review import strip_quotes
from parsers.verdict import (
    parse_community,
    parse_panel_verdict,
    parse_percent,
    parse_score,
)

scores = st.integers(0, 100)
verdicts = st.sampled_from(["ship", "skip"])
badges = st.sampled_from(["Ship", "Mixed", "Skip"])
counts = st.integers(0, 12)


@given(scores, verdicts)
def test_score_round_trip(score: int, verdict: str) -> None:
    line = format_score(score, verdict)
    assert parse_score(line) == (score, verdict)
    assert parse_score(line.replace(verdict, verdict.upper())) == (score, verdict)
    # Every proper prefix is a cut figure: it must not parse (no partial value).
    for k in range(len(line)):
        assert parse_score(line[:k]) is None


@given(badges, counts, counts)
def test_panel_verdict_round_trip(word: str, ship: int, skip: int) -> None:
    line = format_panel_verdict(word, ship, skip)
    assert parse_panel_verdict(line) == (word, ship, skip)
    for k in range(len(line)):
        assert parse_panel_verdict(line[:k]) is None


@given(scores)
def test_percent_round_trip(value: int) -> None:
    line = format_percent(value)
    assert parse_percent(line) == value
    assert parse_community(line) == value
    for k in range(len(line)):
        assert parse_percent(line[:k]) is None


@given(scores, st.integers(1, 100_000))
def test_community_with_a_vote_count(value: int, votes: int) -> None:
    assert parse_community(f"{value}% · {votes} votes") == value
    assert parse_community(f"{value}% ({votes} votes)") == value


@pytest.mark.parametrize("line", ["—", "", "No community votes yet", "-", "n/a"])
def test_community_without_votes(line: str) -> None:
    assert parse_community(line) is None


@pytest.mark.parametrize(
    "line",
    ["85/100", "85 / 100 ·", "/100 · ship", "850/100 · ship", "85/1000 · ship", "7.5/10",
     "101/100 · ship", "85/100 · maybe", "The score was 85/100 · ship"],
)  # fmt: skip
def test_not_a_score(line: str) -> None:
    assert parse_score(line) is None


@pytest.mark.parametrize("line", ["75", "%", "75 %x", "101%", "Panel ship", "75% of users"])
def test_not_a_percent(line: str) -> None:
    assert parse_percent(line) is None


def test_persona_headings() -> None:
    for name in (*COMPACT_ORDER, "Contrarian", "Ethicist"):
        assert is_persona_heading(name)
    for line in ("builder", "The Builder", "Builder — Developer Perspective", "85/100 · ship", ""):
        assert not is_persona_heading(line)


def test_compact_persona_pattern_only_for_eight() -> None:
    pattern = compact_personas(8)
    assert pattern is not None
    assert pattern[:3] == [("Builder", 1), ("Builder", 2), ("Skeptic", 1)]
    assert pattern[-1] == ("Founder", 2)
    for n in (0, 2, 6, 7, 9, 14):
        assert compact_personas(n) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("“A quote.”", "A quote."),
        ("“2x faster” is the claim; “zero setup”", "“2x faster” is the claim; “zero setup”"),
        ("“He said “hi” there”", "He said “hi” there"),
        ("No quotes at all", "No quotes at all"),
        ("“Unclosed", "“Unclosed"),
    ],
)
def test_strip_wrapping_quotes_only(text: str, want: str) -> None:
    assert strip_quotes(text) == want
