"""The replica's data model: tools, reviews, and comparison pages as the site shows them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from replica.vocab import LEDE, PERSONAS

SHIP_SCORES = range(66, 89)  # a `ship` verdict scores 66..88
SKIP_SCORES = range(52, 65)  # a `skip` verdict scores 52..64
VALID_PCTS = frozenset({100, 75, 67, 50, 25})


def panel_pct(ship: int, skip: int) -> int:
    """Panel ship percentage as the site rounds it (2 of 3 → 67)."""
    total = ship + skip
    return int(100 * ship / total + 0.5) if total else 0


def badge_for(ship: int, skip: int) -> str:
    """`Ship` above 50 %, `Mixed` at 50 %, `Skip` below."""
    pct = panel_pct(ship, skip)
    return "Ship" if pct > 50 else "Mixed" if pct == 50 else "Skip"


def valid_panel(ship: int, skip: int) -> bool:
    """Panels the site shows: 3 or 4 reviewers with a percentage in {100, 75, 67, 50, 25}."""
    return ship + skip in (3, 4) and panel_pct(ship, skip) in VALID_PCTS


@dataclass(frozen=True)
class Review:
    """One critic's review of one tool."""

    persona: str
    score: int
    verdict: str  # "ship" | "skip"
    text: str


@dataclass(frozen=True)
class Tool:
    """A tool (identity: slug) as its own tool page shows it."""

    slug: str
    name: str
    vendor: str
    kind: str
    category: str
    tagline: str
    description: str
    entry: str  # "Free" | "Paid" — the site's label, not a fact
    pricing: str
    reviews: tuple[Review, ...]  # always one per persona, in PERSONAS order
    panel: tuple[str, ...]  # the personas whose reviews count on the tool page (3 or 4)
    added_day: int
    version: int = 0
    seed: bool = False

    def panel_reviews(self) -> tuple[Review, ...]:
        """The reviews on the tool page's panel, in persona order."""
        return tuple(r for r in self.reviews if r.persona in self.panel)

    @property
    def ship_votes(self) -> int:
        return sum(r.verdict == "ship" for r in self.panel_reviews())

    @property
    def skip_votes(self) -> int:
        return sum(r.verdict == "skip" for r in self.panel_reviews())

    @property
    def badge(self) -> str:
        return badge_for(self.ship_votes, self.skip_votes)


@dataclass(frozen=True)
class ToolView:
    """A tool as one comparison page shows it (pages disagree, so this is per page)."""

    slug: str
    name: str
    category: str
    tagline: str
    description: str
    entry: str
    pricing: str
    best_for: str
    reviews: tuple[Review, ...]  # the page's panel, in persona order
    community_ship: int = 0  # community votes for ship
    community_votes: int = 0  # all community votes (ship + skip)
    community_zero: bool = False  # no votes, but the compact card says `0%` instead of `—`
    #: what the Decision row's two counts are on this site: "ship/all" or "ship/skip"
    vote_counts: str = "ship/all"

    @property
    def ship_votes(self) -> int:
        return sum(r.verdict == "ship" for r in self.reviews)

    @property
    def skip_votes(self) -> int:
        return sum(r.verdict == "skip" for r in self.reviews)

    @property
    def panel_ship_pct(self) -> int:
        return panel_pct(self.ship_votes, self.skip_votes)

    @property
    def badge(self) -> str:
        return badge_for(self.ship_votes, self.skip_votes)

    @property
    def has_votes(self) -> bool:
        return self.community_votes > 0

    @property
    def community_pct(self) -> int | None:
        """The community's ship percentage, rounded like the panel's; None without votes."""
        if not self.has_votes:
            return None
        return panel_pct(self.community_ship, self.community_votes - self.community_ship)

    @property
    def shown_counts(self) -> tuple[int, int]:
        """The Decision row's two counts: (ship, all) or (ship, skip), per `vote_counts`."""
        second = self.community_votes
        if self.vote_counts == "ship/skip":
            second -= self.community_ship
        return self.community_ship, second

    def community_card(self, layout: str) -> str:
        """The card's community value: `—`/`0%` (compact), blank (full), `12%` with votes."""
        if self.has_votes:
            return f"{self.community_pct}%"
        if layout == "full":
            return ""
        return "0%" if self.community_zero else "—"

    @property
    def community_row(self) -> str:
        """The Decision table's community cell: `0% Ship (0 / 1)`, or no votes yet."""
        if self.has_votes:
            a, b = self.shown_counts
            return f"{self.community_pct}% Ship ({a} / {b})"
        return "No community votes yet"

    def told_counts(self) -> tuple[int | None, int | None]:
        """(ship votes, all votes) as far as the Decision row tells them to a reader who
        does not know `vote_counts`: a reading is possible when the shown percent is
        100·ship/all rounded down, up or to nearest. Ship votes come first in both readings;
        all votes stay unknown (None) when the other reading is possible and differs."""
        if not self.has_votes:
            return None, None
        a, b = self.shown_counts
        other = a + b if self.vote_counts == "ship/all" else b
        pct = self.community_pct
        possible = other > 0 and a <= other and pct is not None and (
            math.floor(Fraction(100 * a, other)) <= pct <= math.ceil(Fraction(100 * a, other)))
        if possible and other != self.community_votes:
            return a, None
        return a, self.community_votes

    def review(self, persona: str) -> Review | None:
        for r in self.reviews:
            if r.persona == persona:
                return r
        return None


@dataclass(frozen=True)
class ComparisonPage:
    """One comparison page's content on one day (a version of the page)."""

    path: str
    slug_a: str
    slug_b: str
    layout: str  # "full" | "compact"
    markup: str  # "semantic" | "grid"
    tools: tuple[ToolView, ToolView]
    personas: tuple[str, ...]  # the panel shown on this page, in persona order
    related: tuple[tuple[str, str], ...]  # (path, "A vs B") of related comparisons
    version: int
    created_day: int
    changed_day: int
    lastmod: datetime
    seed_id: str | None = None
    share_query: str = field(default="utm_source=share")

    @property
    def title(self) -> str:
        return f"{self.tools[0].name} vs {self.tools[1].name}"

    @property
    def lede(self) -> str:
        return LEDE

    def review_rows(self) -> list[tuple[str, Review | None, Review | None]]:
        """(persona, review of A, review of B) in persona order, for personas on the panel."""
        a, b = self.tools
        return [(p, a.review(p), b.review(p)) for p in self.personas]

    def expected(self, url: str | None = None) -> dict[str, Any]:
        """What a correct parser should extract, shaped like `Comparison.to_dict()`."""
        full = self.layout == "full"
        tools = []
        for pos, tv in enumerate(self.tools, 1):
            community = tv.community_pct if tv.has_votes else (
                0 if (tv.community_zero and not full) else None)
            told = tv.told_counts() if full else (None, None)
            tools.append({
                "position": pos,
                "slug": (self.slug_a, self.slug_b)[pos - 1],
                "name": tv.name,
                "category": tv.category,
                "tagline": tv.tagline,
                "badge": tv.badge if full else None,
                "panel_ship_pct": tv.panel_ship_pct,
                "community_pct": community,
                "entry": tv.entry,
                "description": tv.description,
                "panel_verdict": tv.badge if full else None,
                "ship_votes": tv.ship_votes if full else None,
                "skip_votes": tv.skip_votes if full else None,
                "pricing": tv.pricing if full else None,
                "best_for": tv.best_for if full else None,
                "community_ship_votes": told[0],
                "community_votes": told[1],
            })
        reviews = []
        # A compact page shows no names: its personas follow from the full 8-quote pattern
        # only; with a three-critic panel nobody can tell which critic is missing.
        known = full or len(self.personas) == len(PERSONAS)
        for persona, ra, rb in self.review_rows():
            for pos, r in ((1, ra), (2, rb)):
                if r is None:
                    continue
                reviews.append({
                    "tool_position": pos,
                    "persona": persona if known else None,
                    "persona_inferred": not full and known,
                    "score": r.score if full else None,
                    "verdict": r.verdict if full else None,
                    "quote": r.text,
                })
        return {
            "url": url,
            "layout": self.layout,
            "title": self.title,
            "truncated": False,
            "tools": tools,
            "reviews": reviews,
        }

