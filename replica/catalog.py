"""The catalog: which tools and comparison pages exist on a given day, and what they show.

A `World` is the whole history for one (seed, scale): the day-0 catalog plus day-by-day
events (tools added with new pages, page content changes, pages removed with 404 or 410),
simulated in day order with one seeded RNG per day. The site grows (about 1% new pages a
day, a page or two removed), unless the world is `steady`: then each day removes as many
pages as it adds, so the site keeps its size for a year of nights. A `Catalog` is the
world as of one day. Page content is built lazily from (seed, path, version), so big
catalogs start fast.

`World` lives in `_world` (its records in `_records`, its edits to pages in `_edits`);
`Catalog` lives here.
"""

from __future__ import annotations

from datetime import datetime

from replica._records import (
    BASE_DATE,
    DayEvents,
    PageRecord,
    ToolRecord,
    compare_path,
    day_date,
    lastmod_at,
)
from replica._world import World
from replica.models import ComparisonPage, Tool

__all__ = [
    "BASE_DATE",
    "DEFAULT_TEMPLATE_DAY",
    "Catalog",
    "PageRecord",
    "ToolRecord",
    "World",
    "compare_path",
    "day_date",
    "lastmod_at",
]

DEFAULT_TEMPLATE_DAY = 9


class Catalog:
    """The site as of one day: live pages, removed pages, tools, and what changed today."""

    def __init__(self, world: World, day: int, template_day: int = DEFAULT_TEMPLATE_DAY) -> None:
        world.ensure_day(day)
        self.world = world
        self.seed = world.seed
        self.day = day
        self.date = day_date(day)
        self.template_day = template_day
        self.template = 2 if day >= template_day else 1
        self.pages: dict[str, PageRecord] = {}
        self.gone: dict[str, int] = {}
        for rec in world.page_order:
            if rec.alive(day):
                self.pages[rec.path] = rec
            elif rec.created_day <= day and rec.removed_status is not None:
                self.gone[rec.path] = rec.removed_status
        self.tools: dict[str, ToolRecord] = {
            s: t for s, t in world.tools.items() if t.tool.added_day <= day}
        ev = world.events.get(day, DayEvents(day))
        self.added: frozenset[str] = frozenset(ev.added_pages)
        self.changed: frozenset[str] = frozenset(ev.changed_pages)
        self.removed: frozenset[str] = frozenset(ev.removed_pages)
        self.changed_tools: frozenset[str] = frozenset(ev.changed_tools)
        self.added_tools: frozenset[str] = frozenset(ev.added_tools)
        self._tool_lastmod: dict[str, datetime] | None = None

    def comparison(self, path: str) -> ComparisonPage | None:
        """The page's content today, or None if it does not exist (or is gone)."""
        rec = self.pages.get(path)
        if rec is None:
            return None
        return self.world.page_content(path, rec.version(self.day))

    def lastmod(self, path: str) -> datetime:
        """When the page's content last changed (sitemap `<lastmod>`, `Last-Modified`)."""
        rec = self.pages[path]
        return lastmod_at(path, rec.changed_day(self.day))

    def tool(self, slug: str) -> Tool | None:
        """A tool as its tool page shows it today."""
        if slug not in self.tools:
            return None
        return self.world.tool_at(slug, self.day)

    def tool_lastmod(self, slug: str) -> datetime:
        """When a tool page last changed: the tool itself, or one of its comparisons came
        or went (the page lists them)."""
        if self._tool_lastmod is None:
            days: dict[str, int] = {}
            for rec in self.world.page_order:
                if rec.created_day > self.day:
                    continue
                d = rec.created_day
                if rec.removed_day is not None and rec.removed_day <= self.day:
                    d = max(d, rec.removed_day)
                for s in (rec.slug_a, rec.slug_b):
                    if days.get(s, -10**6) < d:
                        days[s] = d
            self._tool_lastmod = {
                s: lastmod_at(f"/tool/{s}", max(t.changed_day(self.day), days.get(s, -10**6)))
                for s, t in self.tools.items()}
        return self._tool_lastmod[slug]

    def tool_pages(self, slug: str) -> list[PageRecord]:
        """Live comparison pages that include a tool."""
        return [r for r in self.world.pages_by_tool.get(slug, []) if r.alive(self.day)]

    @property
    def seed_paths(self) -> dict[str, str]:
        """Seed id ("000") → path."""
        return {r.seed.seed_id: r.path for r in self.pages.values() if r.seed is not None}

    def paths(self) -> list[str]:
        """Live comparison paths in creation order (the sitemap order)."""
        return list(self.pages)

    def title(self, path: str) -> str:
        return self.world.page_title(self.world.pages[path])

    def summary(self) -> str:
        """One line: what is served today."""
        return (f"day {self.day} ({self.date.isoformat()}, template v{self.template}): "
                f"{len(self.pages)} comparison pages, {len(self.tools)} tools, "
                f"{len(self.gone)} removed; today +{len(self.added)} new, "
                f"{len(self.changed)} changed, {len(self.removed)} removed")
