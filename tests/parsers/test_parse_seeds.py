"""Every seed capture parses to its golden record, every field."""

from __future__ import annotations

import dataclasses
import json

import pytest
from markups import render_text
from parse_support import SEED_IDS, golden, seed_bytes

import parsers
from parsers import Comparison, ParseError, Review, ToolCard, parse_comparison


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_matches_golden(seed_id: str) -> None:
    got = parse_comparison(seed_bytes(seed_id)).to_dict()
    assert got == golden(seed_id)


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_as_str_and_declared_text(seed_id: str) -> None:
    text = seed_bytes(seed_id).decode("utf-8")
    assert parse_comparison(text).to_dict() == golden(seed_id)
    declared = parse_comparison(seed_bytes(seed_id), content_type="text/plain; charset=utf-8")
    assert declared.to_dict() == golden(seed_id)


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_variants_of_line_endings_and_bom(seed_id: str) -> None:
    raw = seed_bytes(seed_id)
    for variant in (
        b"\xef\xbb\xbf" + raw,
        raw.replace(b"\n", b"\r\n"),
        raw + b"\n\n",
        b"\n  \n" + raw.replace(b"\n", b"\n\n"),
    ):
        assert parse_comparison(variant).to_dict() == golden(seed_id)


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_url_fills_slugs(seed_id: str) -> None:
    url = "https://www.shiporskip.io/compare/alpha-one-vs-beta-two?ref=x#reviews"
    got = parse_comparison(seed_bytes(seed_id), url=url).to_dict()
    want = golden(seed_id)
    want["url"] = url
    want["tools"][0]["slug"] = "alpha-one"
    want["tools"][1]["slug"] = "beta-two"
    assert got == want


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_text_renderer_reproduces_seed(seed_id: str) -> None:
    """The test renderer is faithful: golden record → text is the seed, byte for byte
    (so the golden records miss nothing the seeds show)."""
    assert render_text(golden(seed_id)) == seed_bytes(seed_id).decode("utf-8")


def test_to_dict_is_json_and_ordered() -> None:
    record = parse_comparison(seed_bytes("002"))
    d = record.to_dict()
    assert list(d) == ["url", "layout", "title", "truncated", "tools", "reviews"]
    assert list(d["tools"][0]) == [
        "position", "slug", "name", "category", "tagline", "badge", "panel_ship_pct",
        "community_pct", "entry", "description", "panel_verdict", "ship_votes", "skip_votes",
        "pricing", "best_for", "community_ship_votes", "community_votes",
    ]  # fmt: skip
    assert list(d["reviews"][0]) == [
        "tool_position", "persona", "persona_inferred", "score", "verdict", "quote",
    ]  # fmt: skip
    assert json.loads(json.dumps(d)) == d


def test_public_surface() -> None:
    assert isinstance(parsers.PARSER_VERSION, str) and parsers.PARSER_VERSION.count(".") == 2
    assert issubclass(ParseError, ValueError)
    assert set(parsers.__all__) == {
        "PARSER_VERSION", "ParseError", "parse_comparison", "comparison_slugs",
        "is_comparison_url", "Comparison", "ToolCard", "Review", "media_type", "HTML_TYPES",
        "MAX_PAGE_BYTES",
    }  # fmt: skip
    assert parsers.media_type("Text/HTML; charset=utf-8") in parsers.HTML_TYPES
    record = parse_comparison(seed_bytes("000"))
    for obj, field in ((record, "title"), (record.tools[0], "name"), (record.reviews[0], "quote")):
        assert dataclasses.is_dataclass(obj)
        assert not hasattr(obj, "__dict__")  # slots
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, field, "x")
    assert isinstance(record, Comparison)
    assert isinstance(record.tools[0], ToolCard)
    assert isinstance(record.reviews[0], Review)


def test_parse_is_deterministic() -> None:
    raw = seed_bytes("003")
    assert parse_comparison(raw) == parse_comparison(raw)
