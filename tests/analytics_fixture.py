"""A small warehouse whose analytics were worked out by hand (see tests/test_views.py).

Five tools, three comparison pages, eleven captures over two weeks of March 2025 (UTC):

  A  hugging-face-smolvlm2-2b-vision-language-model  "SmolVLM2-2B"        Hugging Face (slug)
  B  mistral-medium-3                                "Mistral Medium 3"   Mistral AI (slug)
  C  meta-llama-4-compact-12b-edge-devices-open-source  "Llama 4 Compact" Meta (slug)
  D  windsurf                                        "Windsurf"           Windsurf (slug)
  E  quillpad                                        "Quillpad"           unknown (NULL)

  P1 = A vs B,  P2 = C vs B,  P3 = E vs D  (URLs below)

  #   when (UTC)          page  layout     what it shows
  1   Mon 03-03 10:00     P1    full       A 100 Ship 4/0 · B 75 Ship 3/1; 8 scored reviews
  2   Mon 03-03 11:00     P2    full       C 50 Mixed 2/2 · B 75 Ship 3/1
  3   Mon 03-03 12:00     P3    full       E 25 Skip 1/3 · D 67 Ship 2/1
  4   Tue 03-04 10:00     P1    compact    A 100 · B 75 (no badges); 8 unscored quotes, same texts
  5   Tue 03-04 11:00     P2    full       C 50 Mixed · B 50 Mixed 2/2   <- disagrees with #4 (75)
  6   Wed 03-05 10:00     P1    full       A 100 Ship · B 50 Mixed 2/2; B Skeptic 75 ship -> 45 skip
  7   Wed 03-05 12:00     P3    compact    E 25 · D 67 (unchanged)
  8   Tue 03-11 10:00     P3    full       E 25 Skip · D 100 Ship 3/0
  9   Tue 03-11 11:00     --    full       a text capture with no URL (no slugs): left out
  10  Wed 03-12 10:00     P1    truncated  A 100 Ship 4/0 (whole) · B cut after its name
  11  Thu 03-13 09:00     P2    full       C 75 Ship 3/1 · B 50 Mixed 2/2

The expected values are written out in tests/test_views.py, next to each assertion.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from warehouse.load import CaptureRecord, load_captures

A = "hugging-face-smolvlm2-2b-vision-language-model"
B = "mistral-medium-3"
C = "meta-llama-4-compact-12b-edge-devices-open-source"
D = "windsurf"
E = "quillpad"

BASE = "https://shiporskip.io/compare/"
P1 = f"{BASE}{A}-vs-{B}"
P2 = f"{BASE}{C}-vs-{B}"
P3 = f"{BASE}{E}-vs-{D}"

PERSONAS = ("Builder", "Skeptic", "Futurist", "Founder")

NAMES = {
    A: "SmolVLM2-2B",
    B: "Mistral Medium 3",
    C: "Llama 4 Compact",
    D: "Windsurf",
    E: "Quillpad",
}
DESCRIPTIONS = {
    A: "SmolVLM2-2B is an open-source vision-language model from Hugging Face.",
    B: "Mistral Medium 3 is a mid-tier model available via la Plateforme API.",
    C: "Llama 4 Compact is a 12B open model for edge devices.",
    D: "Windsurf is an agentic IDE.",
    E: "Quillpad is a note-taking app with an AI writer.",
}
CATEGORIES = {
    A: "Developer Tools",
    B: "AI Models",
    C: "Open Source Models",
    D: "Developer Tools",
    E: "Developer Tools",
}

# Reviews on P1 (persona -> (score, verdict)) for A and for B at capture 1.
REVIEWS_A = {
    "Builder": (85, "ship"),
    "Skeptic": (78, "ship"),
    "Futurist": (82, "ship"),
    "Founder": (72, "ship"),
}
REVIEWS_B = {
    "Builder": (82, "ship"),
    "Skeptic": (75, "ship"),
    "Futurist": (78, "ship"),
    "Founder": (55, "skip"),
}


def at(day: int, hour: int) -> datetime:
    """March `day`, 2025, `hour`:00 UTC."""
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def quote(slug: str, persona: str, version: int = 1) -> str:
    return f"{persona} on {NAMES[slug]}, take {version}."


#: The fields a card cut short after its tagline does not show.
CUT_FIELDS = ("badge", "panel_ship_pct", "community_pct", "entry", "description",
              "panel_verdict", "ship_votes", "skip_votes", "pricing", "best_for")


def tool(
    slug: str | None,
    position: int,
    pct: int | None,
    *,
    name_of: str,
    full: bool = True,
    votes: tuple[int, int] | None = None,
    badge: str | None = None,
    cut: bool = False,
) -> dict[str, Any]:
    """One tool card as the parser emits it."""
    card = {
        "position": position,
        "slug": slug,
        "name": NAMES[name_of],
        "category": CATEGORIES[name_of],
        "tagline": f"{NAMES[name_of]} tagline",
        "badge": badge if full else None,
        "panel_ship_pct": pct,
        "community_pct": None,
        "entry": "Free",
        "description": DESCRIPTIONS[name_of],
        "panel_verdict": badge if full else None,
        "ship_votes": votes[0] if full and votes else None,
        "skip_votes": votes[1] if full and votes else None,
        "pricing": "Free" if full else None,
        "best_for": f"{NAMES[name_of]} tagline" if full else None,
    }
    if cut:  # cut short after the tagline: nothing below it was shown
        card.update(dict.fromkeys(CUT_FIELDS))
    return card


def reviews(
    a_scores: dict[str, tuple[int, str]] | None,
    b_scores: dict[str, tuple[int, str]] | None,
    a_slug: str,
    b_slug: str,
    *,
    compact: bool = False,
    b_versions: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Reviews in page order: persona by persona, tool A then tool B."""
    out: list[dict[str, Any]] = []
    for persona in PERSONAS:
        for pos, slug, scores in ((1, a_slug, a_scores), (2, b_slug, b_scores)):
            if scores is None:
                continue
            version = (b_versions or {}).get(persona, 1) if pos == 2 else 1
            score, verdict = scores[persona]
            out.append(
                {
                    "ordinal": len(out) + 1,
                    "tool_position": pos,
                    "persona": persona,
                    "persona_inferred": compact,
                    "score": None if compact else score,
                    "verdict": None if compact else verdict,
                    "quote": quote(slug, persona, version),
                }
            )
    return out


def page(
    url: str | None,
    layout: str,
    tools: list[dict[str, Any]],
    revs: list[dict[str, Any]] | None = None,
    truncated: bool = False,
) -> dict[str, Any]:
    return {
        "url": url,
        "layout": layout,
        "title": " vs ".join(t["name"] for t in tools),
        "truncated": truncated,
        "tools": tools,
        "reviews": revs or [],
    }


B_SKEPTIC_CHANGED = {**REVIEWS_B, "Skeptic": (45, "skip")}


def capture(
    url: str | None,
    when: datetime,
    layout: str,
    tools: list[dict[str, Any]],
    revs: list[dict[str, Any]] | None = None,
    truncated: bool = False,
) -> tuple[str | None, datetime, dict[str, Any]]:
    """One capture of pages(): (url, observed_at, the parsed page)."""
    return url, when, page(url, layout, tools, revs, truncated)


def pages() -> list[tuple[str | None, datetime, dict[str, Any]]]:
    """The eleven captures: (url, observed_at, parsed page)."""
    # fmt: off
    return [
        capture(P1, at(3, 10), "full", [tool(A, 1, 100, name_of=A, votes=(4, 0), badge="Ship"),
                                        tool(B, 2, 75, name_of=B, votes=(3, 1), badge="Ship")],
                reviews(REVIEWS_A, REVIEWS_B, A, B)),
        capture(P2, at(3, 11), "full", [tool(C, 1, 50, name_of=C, votes=(2, 2), badge="Mixed"),
                                        tool(B, 2, 75, name_of=B, votes=(3, 1), badge="Ship")]),
        capture(P3, at(3, 12), "full", [tool(E, 1, 25, name_of=E, votes=(1, 3), badge="Skip"),
                                        tool(D, 2, 67, name_of=D, votes=(2, 1), badge="Ship")]),
        capture(P1, at(4, 10), "compact", [tool(A, 1, 100, name_of=A, full=False),
                                           tool(B, 2, 75, name_of=B, full=False)],
                reviews(REVIEWS_A, REVIEWS_B, A, B, compact=True)),
        capture(P2, at(4, 11), "full", [tool(C, 1, 50, name_of=C, votes=(2, 2), badge="Mixed"),
                                        tool(B, 2, 50, name_of=B, votes=(2, 2), badge="Mixed")]),
        capture(P1, at(5, 10), "full", [tool(A, 1, 100, name_of=A, votes=(4, 0), badge="Ship"),
                                        tool(B, 2, 50, name_of=B, votes=(2, 2), badge="Mixed")],
                reviews(REVIEWS_A, B_SKEPTIC_CHANGED, A, B, b_versions={"Skeptic": 2})),
        capture(P3, at(5, 12), "compact", [tool(E, 1, 25, name_of=E, full=False),
                                           tool(D, 2, 67, name_of=D, full=False)]),
        capture(P3, at(11, 10), "full", [tool(E, 1, 25, name_of=E, votes=(1, 3), badge="Skip"),
                                         tool(D, 2, 100, name_of=D, votes=(3, 0), badge="Ship")]),
        capture(None, at(11, 11), "full",
                [tool(None, 1, 25, name_of=A, votes=(1, 3), badge="Skip"),
                 tool(None, 2, 25, name_of=B, votes=(1, 3), badge="Skip")],
                reviews(REVIEWS_A, REVIEWS_B, A, B)),
        capture(P1, at(12, 10), "full", [tool(A, 1, 100, name_of=A, votes=(4, 0), badge="Ship"),
                                         tool(B, 2, None, name_of=B, cut=True)],
                truncated=True),
        capture(P2, at(13, 9), "full", [tool(C, 1, 75, name_of=C, votes=(3, 1), badge="Ship"),
                                        tool(B, 2, 50, name_of=B, votes=(2, 2), badge="Mixed")]),
    ]
    # fmt: on


def records(order: Sequence[int] | None = None) -> list[CaptureRecord]:
    """The captures as CaptureRecords, in `order` (indexes into pages(); default: time order)."""
    all_pages = pages()
    out = []
    for i in order if order is not None else range(len(all_pages)):
        url, when, data = all_pages[i]
        digest = "sha1:" + hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()
        out.append(
            CaptureRecord(
                url=url,
                observed_at=when,
                source="import",
                source_ref="analytics_fixture",
                http_status=200 if url else None,
                content_type="text/html",
                payload_digest=digest,
                payload_bytes=1000,
                warc_path=None,
                warc_offset=None,
                warc_length=None,
                warc_record_id=None,
                parser_version="fixture",
                page=data,
            )
        )
    return out


def build(
    con: duckdb.DuckDBPyConnection, order: Sequence[int] | None = None, batches: int = 1
) -> None:
    """Load the fixture captures (in `order`, split into `batches` loads) and refresh."""
    from warehouse.history import refresh_analytics

    recs = records(order)
    size = max(1, -(-len(recs) // batches))
    for start in range(0, len(recs), size):
        load_captures(con, recs[start : start + size])
    refresh_analytics(con, force=True)
