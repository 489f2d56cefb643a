"""The five captured seed pages, rebuilt from the golden JSON in replica/data/seeds/.

The JSON files (written by the parser work) hold the exact structured content of each seed
capture. The replica serves each seed at a fixed URL, with slugs chosen so that they sort in
the order the page shows the tools.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replica.generate import ship_score, skip_score
from replica.models import Review, Tool, ToolView
from replica.vocab import PERSONAS

SEEDS_DIR = Path(__file__).resolve().parent / "data" / "seeds"


@dataclass(frozen=True)
class _SeedTool:
    slug: str
    vendor: str
    kind: str
    pricing: str  # used where no full-layout capture shows the pricing


#: (name, first words of the tagline) → identity. Two different tools are called
#: "Mistral Large 3": the slug, not the name, is the identity.
_SEED_TOOLS: dict[tuple[str, str], _SeedTool] = {
    ("SmolVLM2 Turbo", "Sub-2B"): _SeedTool(
        "hugging-face-smolvlm2-turbo-on-device-vision-language-model", "Hugging Face", "vlm",
        "Free / Open weights (Apache 2.0)"),
    ("SmolVLM2", "Open-source 2B"): _SeedTool(
        "hugging-face-releases-smolvlm2-open-source-vision-language-model", "Hugging Face",
        "vlm", "Free / Open Source (Apache 2.0)"),
    ("SmolVLM2-2B", "Open-source vision"): _SeedTool(
        "hugging-face-smolvlm2-2b-vision-language-model", "Hugging Face", "vlm",
        "Free / Open Source (Apache 2.0)"),
    ("Mistral Large 3", "Frontier model"): _SeedTool(
        "mistral-large-3", "Mistral AI", "llm-api", "$2/M input · $6/M output tokens"),
    ("Mistral Large 3", "128K context, 30"): _SeedTool(
        "mistral-ai-mistral-large-3-128k-context-multilingual-code-generation", "Mistral AI",
        "llm-api", "API pricing per token (approx. $2.00/M input, $6.00/M output tokens)"),
    ("Mistral 3 Small", "7B on-device"): _SeedTool(
        "mistral-3-small-7b-on-device-function-calling-apache-2-0", "Mistral AI", "llm-open",
        "Free / Open weights (Apache 2.0)"),
    ("Mistral Medium 3", "128K context, frontier"): _SeedTool(
        "mistral-medium-3-128k-context-frontier-reasoning-half-cost", "Mistral AI", "llm-api",
        "API pricing per token (approx. $0.40/M input, $2.00/M output tokens)"),
    ("Mistral-Next 22B", "Apache 2.0"): _SeedTool(
        "mistral-ai-releases-mistral-next-22b-open-weights-apache-2-0", "Mistral AI",
        "llm-open", "Free / Open weights (Apache 2.0)"),
}

#: Which markup each seed page is served in (both markups among the seeds).
_SEED_MARKUP = {"000": "semantic", "001": "grid", "002": "semantic", "003": "grid",
                "004": "grid"}


def _identity(name: str, tagline: str) -> _SeedTool:
    for (n, prefix), info in _SEED_TOOLS.items():
        if n == name and tagline.startswith(prefix):
            return info
    raise KeyError(f"seed tool {name!r} ({tagline!r}) has no slug assigned")


@dataclass(frozen=True)
class SeedPage:
    """A seed capture: its id, layout, markup and the two tools as the page shows them."""

    seed_id: str
    stem: str
    layout: str
    markup: str
    views: tuple[ToolView, ToolView]
    tools: tuple[Tool, Tool]

    @property
    def path(self) -> str:
        return f"/compare/{self.views[0].slug}-vs-{self.views[1].slug}"


#: A golden record (the `Comparison.to_dict()` shape), or one of its tools or reviews.
_Json = dict[str, Any]


@dataclass(frozen=True)
class _SeedSource:
    """Where a seed tool's data comes from: its card in one capture and its reviews there."""

    doc: _Json
    reviews: dict[str, _Json]  # persona → review
    info: _SeedTool


def _reviews_by_position(doc: _Json) -> dict[int, dict[str, _Json]]:
    out: dict[int, dict[str, _Json]] = {1: {}, 2: {}}
    for r in doc.get("reviews") or []:
        out[int(r["tool_position"])][r["persona"]] = r
    return out


def load_seed_pages(directory: Path = SEEDS_DIR) -> list[SeedPage]:
    """The seed pages in file order; empty if the golden JSON files are not there."""
    files = sorted(directory.glob("[0-9][0-9][0-9]_*.json"))
    docs: list[tuple[str, _Json]] = [
        (f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in files
    ]
    tools = _seed_tools(docs)
    pages: list[SeedPage] = []
    for stem, doc in docs:
        seed_id = stem[:3]
        by_pos = _reviews_by_position(doc)
        views: list[ToolView] = []
        for t in sorted(doc["tools"], key=lambda t: int(t["position"])):
            tool = tools[_identity(t["name"], t["tagline"]).slug]
            quotes = by_pos[int(t["position"])]
            shown = tuple(r for r in tool.reviews if r.persona in quotes)
            for r in shown:  # the seeds share review texts; keep each capture's own text
                assert quotes[r.persona]["quote"] == r.text, (stem, t["name"], r.persona)
            views.append(ToolView(
                slug=tool.slug, name=t["name"], category=t["category"], tagline=t["tagline"],
                description=t["description"], entry=t["entry"], pricing=tool.pricing,
                best_for=t.get("best_for") or t["tagline"], reviews=shown,
                community_ship=0, community_votes=0, community_zero=False,
            ))
        pages.append(SeedPage(seed_id, stem, doc["layout"], _SEED_MARKUP.get(seed_id, "semantic"),
                              (views[0], views[1]),
                              (tools[views[0].slug], tools[views[1].slug])))
    for p in pages:
        assert p.views[0].slug < p.views[1].slug, p.path
    return pages


def _seed_tools(docs: list[tuple[str, _Json]]) -> dict[str, Tool]:
    """The seed tools by slug, each from the first capture that shows it (full layout
    first: its scores and pricing)."""
    sources: dict[str, _SeedSource] = {}
    for _stem, doc in sorted(docs, key=lambda d: d[1].get("layout") != "full"):
        by_pos = _reviews_by_position(doc)
        for t in doc["tools"]:
            info = _identity(t["name"], t["tagline"])
            if info.slug in sources:
                continue
            sources[info.slug] = _SeedSource(t, by_pos[int(t["position"])], info)
    tools: dict[str, Tool] = {}
    for slug, src in sorted(sources.items()):
        t, info = src.doc, src.info
        rng = random.Random(f"replica:seed-tool:{slug}")
        tool_reviews: list[Review] = []
        for persona in PERSONAS:
            r = src.reviews.get(persona)
            if r is None:
                continue
            verdict = r.get("verdict") or "ship"  # compact captures: 100 % panels only
            score = r.get("score") or (ship_score(rng) if verdict == "ship" else skip_score(rng))
            tool_reviews.append(Review(persona, int(score), verdict, r["quote"]))
        tools[slug] = Tool(
            slug=slug, name=t["name"], vendor=info.vendor, kind=info.kind,
            category=t["category"], tagline=t["tagline"], description=t["description"],
            entry=t["entry"], pricing=t.get("pricing") or info.pricing,
            reviews=tuple(tool_reviews), panel=tuple(r.persona for r in tool_reviews),
            added_day=-60, seed=True,
        )
    return tools
