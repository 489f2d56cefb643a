"""The replica is the ground truth: a few nights crawled by the real flow, and the tool
figures (tool_trend) and within-page changes (verdict_changes) must equal what the
replica's own catalog says, computed here without the warehouse."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows import settings
from flows.pipeline import crawl
from replica import Catalog, Replica, World
from warehouse.categories import canonical, load_categories
from warehouse.db import connect

NIGHTS = 5
SCALE = 300
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
FAST = {"connect_timeout": 2.0, "read_timeout": 2.0, "attempt_timeout": 3.0, "deadline": 30.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3}


def night(d: int) -> datetime:
    return NIGHT0 + timedelta(days=d)


def badge(pct: int) -> str:
    return "Ship" if pct > 50 else "Mixed" if pct == 50 else "Skip"


def majority(values: list[str], tie: str | None) -> str:
    counts = Counter(values).most_common()
    top = [v for v, n in counts if n == counts[0][1]]
    return tie if len(top) > 1 and tie is not None else min(top)


@dataclass(frozen=True)
class Capture:
    """One page as the crawl captured it on one night (the replica's expected parse)."""

    night: int
    full: bool
    page: dict[str, Any]


def captures(world: World, nights: int) -> dict[str, list[Capture]]:
    """path -> the captures a crawl makes: the night a page appears and each night its
    content version changes (the sitemap lastmod moves); None marks the night it is gone."""
    out: dict[str, list[Capture]] = {}
    last: dict[str, int] = {}
    for d in range(nights):
        cat = Catalog(world, d)
        for path in cat.paths():
            version = cat.pages[path].version(d)
            if last.get(path) != version:
                page = cat.comparison(path)
                assert page is not None
                out.setdefault(path, []).append(Capture(d, page.layout == "full", page.expected()))
                last[path] = version
    return out


def live_values(world: World, d: int, mapping: dict[str, str]) -> dict[str, dict[str, tuple]]:
    """slug -> {path: (pct, verdict, canonical category)} of its live pages on night d."""
    cat = Catalog(world, d)
    out: dict[str, dict[str, tuple]] = {}
    for path in cat.paths():
        page = cat.comparison(path)
        assert page is not None
        for tool in page.expected()["tools"]:
            pct = tool["panel_ship_pct"]
            out.setdefault(tool["slug"], {})[path] = (
                pct, badge(pct), canonical(tool["category"], mapping))
    return out


def expected_trend(world: World, nights: int) -> set[tuple]:
    """(slug, valid_from, verdict, median, pages, min, max, category, cause, cause_path,
    cause_pages) of every tool_trend row, from the catalog."""
    mapping = load_categories()
    rows: set[tuple] = set()
    prev_vals: dict[str, dict[str, tuple]] = {}
    prev_fig: dict[str, tuple] = {}
    for d in range(nights):
        now = live_values(world, d, mapping)
        for slug in set(now) | set(prev_vals):
            cur, before = now.get(slug, {}), prev_vals.get(slug, {})
            pcts = [v[0] for v in cur.values()]
            fig = (majority([v[1] for v in cur.values()], "split") if cur else None,
                   float(statistics.median(pcts)) if pcts else None, len(cur),
                   min(pcts, default=None), max(pcts, default=None),
                   majority([v[2] for v in cur.values()], None) if cur else None)
            if fig == prev_fig.get(slug) or (slug not in prev_fig and not cur):
                continue
            events = sorted(
                (p, "page_added" if p not in before else "page_gone" if p not in cur
                 else "page_changed")
                for p in set(cur) | set(before) if cur.get(p) != before.get(p))
            rows.add((slug, night(d), *fig, events[0][1], events[0][0], len(events)))
            prev_fig[slug] = fig
        prev_vals = now
    return rows


def expected_changes(world: World, nights: int) -> tuple[set[tuple], set[tuple]]:
    """The within-page changes between consecutive captures, from the catalog: (observed:
    every change both captures showed; where: (path, night, position, persona) of every
    pair with a compact side, the only places an inferred change may be reported)."""
    observed: set[tuple] = set()
    where: set[tuple] = set()
    for path, caps in captures(world, nights).items():
        for a, b in zip(caps, caps[1:], strict=False):
            for ta, tb in zip(a.page["tools"], b.page["tools"], strict=True):
                if ta["panel_ship_pct"] != tb["panel_ship_pct"]:
                    observed.add(("panel", tb["slug"], None, path, tb["position"], night(b.night),
                                  night(a.night), badge(ta["panel_ship_pct"]),
                                  badge(tb["panel_ship_pct"]), ta["panel_ship_pct"],
                                  tb["panel_ship_pct"], "observed"))
            ra = {(r["tool_position"], r["persona"]): r for r in a.page["reviews"]}
            for r in b.page["reviews"]:
                key = (r["tool_position"], r["persona"])
                if not (a.full and b.full):
                    for pos in (1, 2):
                        where.update((path, night(b.night), pos, p) for p in PERSONAS)
                    continue
                old = ra.get(key)
                if old and (old["score"], old["verdict"]) != (r["score"], r["verdict"]):
                    slug = b.page["tools"][r["tool_position"] - 1]["slug"]
                    observed.add(("review", slug, r["persona"], path, r["tool_position"],
                                  night(b.night), night(a.night), old["verdict"], r["verdict"],
                                  old["score"], r["score"], "observed"))
    return observed, where


PERSONAS = ("Builder", "Skeptic", "Futurist", "Founder")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Path, str]]:
    data = tmp_path_factory.mktemp("truth") / "data"
    with Replica(day=0, scale=SCALE, crawl_delay=None) as site:
        for d in range(NIGHTS):
            site.set_day(d)
            summary = crawl(site.base_url, data_dir=str(data), observed_at=night(d), rate=200.0,
                            concurrency=4, fetch_options=FAST, parse_processes=0)
            assert summary["status"] == "finished" and summary["counts"]["failed"] == 0
        yield site.world, data, site.base_url


def _path(url: str, base: str) -> str:
    assert url.startswith(base), url
    return url[len(base):]


def test_tool_trend_equals_the_catalog(crawled: tuple[World, Path, str]) -> None:
    world, data, base = crawled
    con = connect(settings.db_path(data))
    rows = con.execute(
        "SELECT slug, valid_from, panel_verdict, ship_pct, pages, ship_pct_min, ship_pct_max,"
        " category, cause, cause_url, cause_pages FROM tool_trend").fetchall()
    con.close()
    got = {(*r[:9], _path(r[9], base), r[10]) for r in rows}
    want = expected_trend(world, NIGHTS)
    assert len(rows) == len(got) and want
    assert got == want, (sorted(got - want)[:5], sorted(want - got)[:5])
    # the nights moved some tools' figures, and some pages were added or went away
    assert {r[8] for r in want} >= {"page_added", "page_changed"}


def test_latest_tool_verdicts_are_the_last_trend_rows(crawled: tuple[World, Path, str]) -> None:
    world, data, _ = crawled
    con = connect(settings.db_path(data))
    latest = dict(con.execute(
        "SELECT tool_slug, (panel_verdict, panel_ship_pct, pages) FROM latest_tool_verdicts"
    ).fetchall())
    con.close()
    last: dict[str, tuple] = {}
    for r in sorted(expected_trend(world, NIGHTS), key=lambda r: r[1]):
        last[r[0]] = (r[2], r[3], r[4])
    assert {k: tuple(v.values()) if isinstance(v, dict) else tuple(v)
            for k, v in latest.items()} == last


def test_verdict_changes_equal_the_catalog(crawled: tuple[World, Path, str]) -> None:
    world, data, base = crawled
    con = connect(settings.db_path(data))
    rows = con.execute(
        "SELECT kind, tool_slug, persona, url, tool_position, observed_at, previous_observed_at,"
        " verdict_before, verdict_after, score_before, score_after, basis"
        " FROM verdict_changes").fetchall()
    con.close()
    got = [(*r[:3], _path(r[3], base), *r[4:]) for r in rows]
    observed, where = expected_changes(world, NIGHTS)
    assert {r for r in got if r[-1] == "observed"} == observed
    assert len(got) == len(set(got)) and {r[0] for r in observed} == {"panel", "review"}
    inferred = [r for r in got if r[-1] == "inferred"]
    assert all((r[3], r[5], r[4], r[2]) in where for r in inferred), inferred[:3]
