"""Shared helpers for the parser tests: the seeds, their golden records, record checks."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from markups import url_for, with_url

from parsers import comparison_slugs

SEEDS = Path(__file__).resolve().parent.parent / "replica" / "data" / "seeds"
SEED_IDS = ("000", "001", "002", "003", "004")
FULL_IDS = ("002", "003")
COMPACT_IDS = ("000", "001", "004")


def seed_path(seed_id: str, suffix: str) -> Path:
    (path,) = SEEDS.glob(f"{seed_id}_*{suffix}")
    return path


@cache
def _golden(seed_id: str) -> str:
    return seed_path(seed_id, ".json").read_text(encoding="utf-8")


def golden(seed_id: str) -> dict[str, Any]:
    """A fresh copy of the seed's golden record (url null, slugs null)."""
    return json.loads(_golden(seed_id))


@cache
def seed_bytes(seed_id: str) -> bytes:
    return seed_path(seed_id, ".txt").read_bytes()


def expected_with_url(record: dict[str, Any], url: str | None = None) -> tuple[str, dict[str, Any]]:
    """(url, record as parsed from a page served at that url: url and slugs set)."""
    url = url or url_for(record)
    return url, with_url(record, url, comparison_slugs(url))


def mutated(record: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(record)


def assert_consistent(got: dict[str, Any], gold: dict[str, Any]) -> None:
    """Every value `got` emits is the golden value at that position: no wrong value, no
    partial value, nothing invented. Nulls are allowed anywhere (a cut page)."""
    assert list(got) == ["url", "layout", "title", "truncated", "tools", "reviews"]
    assert got["title"] == gold["title"]
    if got["layout"] is not None:
        assert got["layout"] == gold["layout"]
    assert len(got["tools"]) == 2
    for tool, want in zip(got["tools"], gold["tools"], strict=True):
        assert list(tool) == list(want)
        for key, value in tool.items():
            if value is not None:
                assert value == want[key], (key, value, want[key])
    assert len(got["reviews"]) <= len(gold["reviews"])
    for review, want in zip(got["reviews"], gold["reviews"], strict=False):
        assert list(review) == list(want)
        for key, value in review.items():
            if key == "persona_inferred":
                assert value in (False, want[key])
            elif value is not None:
                assert value == want[key], (key, value, want[key])
    blob = json.dumps(got, ensure_ascii=False)
    assert "\ufffd" not in blob


def nonnull_count(record: dict[str, Any]) -> int:
    """How many values a record gives back (to check that a longer capture gives more)."""
    n = sum(v is not None for t in record["tools"] for v in t.values())
    return n + sum(v is not None for r in record["reviews"] for v in r.values())


# The site's own notation for the figures (the value parsers' tests round-trip through it).


def format_percent(value: int) -> str:
    return f"{value}%"


def format_score(score: int, verdict: str) -> str:
    return f"{score}/100 · {verdict}"


def format_panel_verdict(verdict: str, ship: int, skip: int) -> str:
    return f"{verdict} · {ship} ship / {skip} skip"
