"""What a world's history is made of: simulated days as dates and times, and the records
of each tool's and page's life and of each day's events."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from replica.models import Tool
from replica.seeds import SeedPage

#: Day 0 is this date; day N is N days later.
BASE_DATE = date(2025, 6, 2)


def day_date(day: int) -> date:
    """The calendar date of a simulated day."""
    return BASE_DATE + timedelta(days=day)


def _hash_int(*parts: object) -> int:
    h = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def lastmod_at(path: str, day: int) -> datetime:
    """When a change on `day` happened: a fixed early-morning time per (path, day)."""
    minutes = _hash_int("lastmod", path, day) % 360
    d = day_date(day)
    return datetime(d.year, d.month, d.day, minutes // 60, minutes % 60, tzinfo=UTC)


@dataclass
class ToolRecord:
    """A tool and the days its tool page changed."""

    tool: Tool
    change_days: list[int] = field(default_factory=list)

    def version(self, day: int) -> int:
        return sum(1 for d in self.change_days if d <= day)

    def changed_day(self, day: int) -> int:
        past = [d for d in self.change_days if d <= day]
        return past[-1] if past else self.tool.added_day


@dataclass
class PageRecord:
    """A comparison page's life: created, changed on some days, maybe removed."""

    path: str
    slug_a: str
    slug_b: str
    index: int
    created_day: int
    seed: SeedPage | None = None
    change_days: list[int] = field(default_factory=list)
    removed_day: int | None = None
    removed_status: int | None = None

    def alive(self, day: int) -> bool:
        return self.created_day <= day and (self.removed_day is None or self.removed_day > day)

    def version(self, day: int) -> int:
        return sum(1 for d in self.change_days if d <= day)

    def changed_day(self, day: int) -> int:
        past = [d for d in self.change_days if d <= day]
        return past[-1] if past else self.created_day


@dataclass
class DayEvents:
    """What happened on one day."""

    day: int
    added_tools: list[str] = field(default_factory=list)
    added_pages: list[str] = field(default_factory=list)
    changed_pages: list[str] = field(default_factory=list)
    removed_pages: list[str] = field(default_factory=list)
    changed_tools: list[str] = field(default_factory=list)


def compare_path(slug_a: str, slug_b: str) -> str:
    """`/compare/<a>-vs-<b>` with the slugs in alphabetical order."""
    a, b = sorted((slug_a, slug_b))
    return f"/compare/{a}-vs-{b}"
