"""Vendor resolution on the real names, slugs and descriptions seen on the site."""

from __future__ import annotations

import json
from pathlib import Path

import analytics_fixture as fx
import pytest

from warehouse.load import load_captures
from warehouse.vendor import explain_vendor, load_registry, refresh_vendors, resolve_vendor

SEED_JSON = Path(__file__).resolve().parents[2] / "replica" / "data" / "seeds"


def seed_tools() -> dict[str, list[str]]:
    """Tool name -> its descriptions, over the five parsed seeds."""
    out: dict[str, list[str]] = {}
    for path in sorted(SEED_JSON.glob("*.json")):
        for tool in json.loads(path.read_text(encoding="utf-8"))["tools"]:
            out.setdefault(tool["name"], []).append(tool["description"])
    return out


NO_OVERRIDES: dict[str, str | None] = {}


@pytest.mark.parametrize(
    ("name", "vendor", "source"),
    [
        ("SmolVLM2", "Hugging Face", "description"),  # "… from Hugging Face"
        ("SmolVLM2 Turbo", "Hugging Face", "description"),  # "optimized by Hugging Face"
        ("SmolVLM2-2B", "Hugging Face", "description"),  # "from Hugging Face"
        ("Mistral Large 3", "Mistral AI", "description"),  # "Mistral's la Plateforme API"
        ("Mistral-Next 22B", "Mistral AI", "description"),  # "Mistral AI has released"
        ("Mistral 3 Small", "Mistral AI", "description"),  # "… touching Mistral's API"
        ("Mistral Medium 3", "Mistral AI", "name"),  # description names no maker
    ],
)
def test_seed_tools_without_slugs(name: str, vendor: str, source: str) -> None:
    descriptions = seed_tools()[name]
    assert resolve_vendor(None, name, descriptions, overrides=NO_OVERRIDES) == (vendor, source)


def test_competitor_possessive_is_not_the_maker() -> None:
    # Mistral-Next 22B's description: "… benchmarks competitively against Meta's Llama 4 Scout"
    text = "It benchmarks competitively against Meta's Llama 4 Scout on reasoning."
    assert resolve_vendor(None, "Acme 1", [text], overrides=NO_OVERRIDES) == (None, None)
    (desc,) = seed_tools()["Mistral-Next 22B"]
    assert "Meta's Llama" in desc
    assert resolve_vendor(None, None, [desc], overrides=NO_OVERRIDES)[0] == "Mistral AI"


@pytest.mark.parametrize(
    ("slug", "vendor", "evidence"),
    [
        ("hugging-face-smolvlm2-2b-vision-language-model", "Hugging Face", "hugging-face"),
        ("meta-llama-4-compact-12b-edge-devices-open-source", "Meta", "meta"),
        ("gemini-api", "Google", "gemini"),  # product family in the registry
        ("windsurf", "Windsurf", "windsurf"),  # bare slug: registry entry (alias Codeium)
        ("mistral-ai-releases-mistral-next-22b-apache-2-open-weights", "Mistral AI", "mistral-ai"),
        ("anthropic-open-sources-model-context-protocol", "Anthropic", "anthropic"),
        ("introducing-claude-opus-4", "Anthropic", "claude"),  # after a leading verb
        ("this-week-google-releases-gemma-4", "Google", "google"),  # right before a verb
        ("smolvlm2-turbo-on-device-vlm", "Hugging Face", "smolvlm2"),  # versioned family
    ],
)
def test_slugs(slug: str, vendor: str, evidence: str) -> None:
    assert explain_vendor(slug, None, [], overrides=NO_OVERRIDES) == (vendor, "slug", evidence)


def test_slug_outranks_description_and_name() -> None:
    got = resolve_vendor(
        "meta-llama-4-scout", "Mistral Thing", ["A model from Google."], overrides=NO_OVERRIDES
    )
    assert got == ("Meta", "slug")


def test_vendor_mid_slug_without_a_verb_is_not_taken() -> None:
    # 'openai' sits in the middle, neither after nor before a verb: not the maker
    got = resolve_vendor("quillpad-vs-openai-notes", None, [], overrides=NO_OVERRIDES)
    assert got == (None, None)


@pytest.mark.parametrize(
    ("slug", "name", "descriptions"),
    [
        ("quillpad", "Quillpad", ["Quillpad is a note-taking app with an AI writer."]),
        ("metabase-ai", None, []),  # 'meta' is not a token of 'metabase'
        (None, None, []),
        ("acme-ai-releases-notes", "Acme Notes", ["Switch away from OpenAI today."]),
        ("x-tool", "X", ["Rivals Google's Gemini and Meta's Llama."]),  # competitors only
    ],
)
def test_unknown_stays_null(slug: str | None, name: str | None, descriptions: list[str]) -> None:
    assert resolve_vendor(slug, name, descriptions, overrides=NO_OVERRIDES) == (None, None)


def test_tie_between_descriptions_is_unknown() -> None:
    got = resolve_vendor(
        "zeta", None, ["Zeta, from Google.", "Zeta, from OpenAI."], overrides=NO_OVERRIDES
    )
    assert got == (None, None)
    got = resolve_vendor(
        "zeta",
        None,
        ["Zeta, from Google.", "Zeta, from OpenAI.", "Built by Google."],
        overrides=NO_OVERRIDES,
    )
    assert got == ("Google", "description")  # named as the maker in 2 of 3
    got = resolve_vendor(
        "zeta",
        None,
        ["Zeta, from Google.", "Zeta, developed by Google DeepMind."],
        overrides=NO_OVERRIDES,
    )
    assert got == ("Google", "description")


def test_override_wins_and_can_force_unknown() -> None:
    overrides = {"windsurf": "Cognition", "meta-llama-4-scout": None}
    assert resolve_vendor("windsurf", "Windsurf", [], overrides=overrides) == (
        "Cognition",
        "override",
    )
    assert resolve_vendor("meta-llama-4-scout", None, [], overrides=overrides) == (
        None,
        "override",
    )


def test_registry_is_editable(tmp_path: Path) -> None:
    reg_path = tmp_path / "vendors.csv"
    reg_path.write_text("vendor,aliases,slug_prefixes\nQuill Labs,Quill,quillpad\n")
    reg = load_registry(reg_path)
    assert resolve_vendor("quillpad", None, [], registry=reg, overrides={}) == (
        "Quill Labs",
        "slug",
    )
    assert resolve_vendor("x", None, ["Made by Quill's team."], registry=reg, overrides={}) == (
        "Quill Labs",
        "description",
    )


def test_refresh_vendors_materialises_tool_vendor(warehouse, tmp_path: Path) -> None:
    load_captures(warehouse, fx.records())
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("slug,vendor,note\nquillpad,Quill Labs,checked by hand\n")
    assert refresh_vendors(warehouse, overrides_path=overrides) == 5
    rows = dict(
        (r[0], r[1:])
        for r in warehouse.execute(
            "SELECT slug, vendor, vendor_source, vendor_evidence FROM tool_vendor"
        ).fetchall()
    )
    assert rows == {
        fx.A: ("Hugging Face", "slug", "hugging-face"),
        fx.B: ("Mistral AI", "slug", "mistral"),
        fx.C: ("Meta", "slug", "meta"),
        fx.D: ("Windsurf", "slug", "windsurf"),
        fx.E: ("Quill Labs", "override", f"vendor_overrides.csv: {fx.E}"),
    }
    refresh_vendors(warehouse)  # the shipped (empty) overrides: quillpad is unknown again
    assert warehouse.execute(
        "SELECT vendor, vendor_source FROM tool_vendor WHERE slug = ?", [fx.E]
    ).fetchone() == (None, None)
    assert warehouse.execute("SELECT count(*) FROM vendor").fetchone()[0] >= 20
