"""The two tool cards and the Decision table → `ToolCard`.

A card, in order: (full: a one-letter avatar) category, name, tagline, (full: a badge),
then three stat pairs with the value BEFORE its label (`75%` / `Panel ship`, community /
`Community`, entry / `Entry`), then a description paragraph. The labels are the anchors:
a value is only read when its label follows it, so a capture cut after `75%` yields no
panel figure rather than a guessed one.

The Decision table (full layout): `Decision`, both names, then rows of label + one cell
per tool. A row is only read when both cells are there. Its Community cell may carry vote
counts, `0% Ship (0 / 1)`: they become `community_ship_votes` and `community_votes` only
as far as the shown percentage tells what they count (`verdict.community_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .verdict import (
    BADGES,
    community_counts,
    parse_community,
    parse_community_row,
    parse_panel_verdict,
    parse_percent,
)

PANEL_SHIP = "Panel ship"
COMMUNITY = "Community"
ENTRY = "Entry"
DECISION_LABELS = frozenset({"Panel verdict", "Community", "Pricing", "Best for", "Category"})


_set = object.__setattr__


@dataclass(frozen=True, slots=True, init=False)
class ToolCard:
    """One tool as a comparison page shows it; a value the page does not show is None."""

    position: int
    slug: str | None = None
    name: str | None = None
    category: str | None = None
    tagline: str | None = None
    badge: str | None = None
    panel_ship_pct: int | None = None
    community_pct: int | None = None
    entry: str | None = None
    description: str | None = None
    panel_verdict: str | None = None
    ship_votes: int | None = None
    skip_votes: int | None = None
    pricing: str | None = None
    best_for: str | None = None
    community_ship_votes: int | None = None
    community_votes: int | None = None

    def __init__(
        self,
        position: int,
        slug: str | None = None,
        name: str | None = None,
        category: str | None = None,
        tagline: str | None = None,
        badge: str | None = None,
        panel_ship_pct: int | None = None,
        community_pct: int | None = None,
        entry: str | None = None,
        description: str | None = None,
        panel_verdict: str | None = None,
        ship_votes: int | None = None,
        skip_votes: int | None = None,
        pricing: str | None = None,
        best_for: str | None = None,
        community_ship_votes: int | None = None,
        community_votes: int | None = None,
    ) -> None:
        # Written out (not generated) because the frozen dataclass __init__ looks up
        # object.__setattr__ for every field; this is a hot path (two per page).
        _set(self, "position", position)
        _set(self, "slug", slug)
        _set(self, "name", name)
        _set(self, "category", category)
        _set(self, "tagline", tagline)
        _set(self, "badge", badge)
        _set(self, "panel_ship_pct", panel_ship_pct)
        _set(self, "community_pct", community_pct)
        _set(self, "entry", entry)
        _set(self, "description", description)
        _set(self, "panel_verdict", panel_verdict)
        _set(self, "ship_votes", ship_votes)
        _set(self, "skip_votes", skip_votes)
        _set(self, "pricing", pricing)
        _set(self, "best_for", best_for)
        _set(self, "community_ship_votes", community_ship_votes)
        _set(self, "community_votes", community_votes)

    def to_dict(self) -> dict[str, object]:
        return {
            "position": self.position,
            "slug": self.slug,
            "name": self.name,
            "category": self.category,
            "tagline": self.tagline,
            "badge": self.badge,
            "panel_ship_pct": self.panel_ship_pct,
            "community_pct": self.community_pct,
            "entry": self.entry,
            "description": self.description,
            "panel_verdict": self.panel_verdict,
            "ship_votes": self.ship_votes,
            "skip_votes": self.skip_votes,
            "pricing": self.pricing,
            "best_for": self.best_for,
            "community_ship_votes": self.community_ship_votes,
            "community_votes": self.community_votes,
        }


@dataclass(slots=True)
class CardFields:
    """What one card showed (mutable while parsing; folded into a ToolCard at the end)."""

    name: str | None = None
    category: str | None = None
    tagline: str | None = None
    badge: str | None = None
    panel_ship_pct: int | None = None
    community_pct: int | None = None
    entry: str | None = None
    description: str | None = None
    avatar: bool = False
    stats_seen: bool = False  # the card's `Panel ship` label was there


@dataclass(slots=True)
class DecisionFields:
    """Per tool, what the Decision table showed."""

    names: tuple[str, str] | None = None
    rows: list[dict[str, str]] = field(default_factory=lambda: [{}, {}])


def _is_avatar(line: str) -> bool:
    return len(line) == 1


def _header(lines: list[str], name: str | None, closed: bool, card: CardFields) -> None:
    """Read avatar, category, name, tagline, badge from a card's header lines.

    `lines[0]` is whatever precedes the card (the lede, or the previous card's
    description); `closed` says the header ends at the card's `Panel ship` label, so its
    last lines are (badge) and the panel figure. An open header was cut short: its lines
    are read in the site's order, never by counting from an end that is not there.
    """
    body = lines[1:]
    if closed and body and parse_percent(body[-1]) is not None:
        body = body[:-1]  # the panel figure, read by the caller
    if body and _is_avatar(body[0]):
        card.avatar = True
        body = body[1:]
    idx = -1
    if name is not None:
        for i in range(len(body) - 1, -1, -1):
            if body[i] == name:
                idx = i
                break
    if idx < 0:
        if closed:  # [category,] name, tagline[, badge]: count from the end
            core = len(body) - (1 if len(body) >= 3 and body[-1] in BADGES else 0)
            idx = max(core - 2, 0) if core else -1
        else:  # category, name, ... in order
            idx = 1 if len(body) > 1 else -1
        if idx < 0:
            if body:
                card.category = body[0]
            return
    card.name = body[idx]
    before = [x for x in body[:idx] if not _is_avatar(x)]
    if before:
        card.category = before[-1]
    after = body[idx + 1 :]
    if not after:
        return
    card.tagline = after[0]
    if len(after) >= 2:
        badge = after[-1] if closed else after[1]
        if badge in BADGES:
            card.badge = badge


def parse_cards(region: list[str], names: tuple[str | None, str | None]) -> list[CardFields]:
    """Both cards from the lines between the title and the Decision/scorecard.

    `region[0]` is the lede. On a cut page the caller has already dropped the last
    (maybe partial) line, and values are only read before the label that anchors them,
    so a card cut short simply shows fewer values.
    """
    cards = [CardFields(), CardFields()]
    start = 0  # the line before the card's first line: the lede, then a description
    n = len(region)
    for k in range(2):
        if start >= n:
            break
        try:
            p = region.index(PANEL_SHIP, start + 1)
        except ValueError:
            p = -1
        card = cards[k]
        if p < 0:
            _header(region[start:], names[k], closed=False, card=card)
            break
        card.stats_seen = True
        _header(region[start:p], names[k], closed=True, card=card)
        if p - 1 > start:
            card.panel_ship_pct = parse_percent(region[p - 1])
        # Community and Entry labels, each preceded by its value (or nothing when blank).
        i = p + 1
        c = _label_at(region, i, COMMUNITY)
        if c >= 0:
            if c == i + 1:
                card.community_pct = parse_community(region[i])
            i = c + 1
        e = _label_at(region, i, ENTRY)
        if e < 0:
            break
        if e == i + 1:
            card.entry = region[i]
        d = e + 1
        # The description: the line after `Entry`, unless the next card starts right away.
        if d < n and not _is_avatar(region[d]):
            card.description = region[d]
            start = d
        else:
            start = e
    return cards


def _label_at(region: list[str], i: int, label: str) -> int:
    """Index of `label` at `i` or `i + 1` (after one value line), else -1."""
    if i < len(region) and region[i] == label:
        return i
    if i + 1 < len(region) and region[i + 1] == label:
        return i + 1
    return -1


def parse_decision(region: list[str], names: tuple[str | None, str | None]) -> DecisionFields:
    """The Decision table's rows (label → [cell A, cell B]); rows missing a cell are skipped."""
    out = DecisionFields()
    first = next((i for i, x in enumerate(region) if x in DECISION_LABELS), len(region))
    header = region[:first]
    swap = False
    if len(header) == 2:
        out.names = (header[0], header[1])
        a, b = names
        swap = a is not None and b is not None and a != b and header == [b, a]
    i = first
    n = len(region)
    while i < n:
        label = region[i]
        j = i + 1
        while j < n and region[j] not in DECISION_LABELS:
            j += 1
        cells = region[i + 1 : j]
        if len(cells) >= 2:
            va, vb = (cells[1], cells[0]) if swap else (cells[0], cells[1])
            out.rows[0].setdefault(label, va)
            out.rows[1].setdefault(label, vb)
        i = j
    return out


def build_tool(
    position: int,
    slug: str | None,
    title_name: str | None,
    card: CardFields,
    rows: dict[str, str],
) -> ToolCard:
    """Fold a card and its Decision column into a ToolCard (the card wins, rows fill gaps)."""
    verdict = parse_panel_verdict(rows["Panel verdict"]) if "Panel verdict" in rows else None
    community = card.community_pct
    row = rows.get("Community")
    if community is None and row is not None:
        community = parse_community(row)
    shown = parse_community_row(row) if row is not None else None
    counts = community_counts(*shown) if shown else (None, None)
    return ToolCard(
        position=position,
        slug=slug,
        name=card.name or title_name,
        category=card.category or rows.get("Category") or None,
        tagline=card.tagline,
        badge=card.badge,
        panel_ship_pct=card.panel_ship_pct,
        community_pct=community,
        entry=card.entry or None,
        description=card.description,
        panel_verdict=verdict[0] if verdict else None,
        ship_votes=verdict[1] if verdict else None,
        skip_votes=verdict[2] if verdict else None,
        pricing=rows.get("Pricing") or None,
        best_for=rows.get("Best for") or None,
        community_ship_votes=counts[0],
        community_votes=counts[1],
    )
