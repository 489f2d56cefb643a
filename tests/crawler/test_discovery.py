"""Sitemap discovery (gzip by magic bytes, bomb guard, lastmod), the links fallback, and
the incremental plan."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta

import pytest

from crawler._discovery import Discovery, discover, extract_links, fetch_robots
from crawler._fetch import FetchConfig, Fetcher
from crawler._plan import Recheck, make_plan, night_number, recheck_due, recheck_slot
from crawler._sitemaps import SitemapError, maybe_gunzip, parse_lastmod, parse_sitemap
from replica import Replica
from warehouse.crawl_state import UrlState

pytestmark = pytest.mark.timeout(120)

FAST = FetchConfig(rate=None, concurrency=4, attempt_timeout=2.0, backoff_base=0.05)
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://x.io/compare/a-vs-b</loc><lastmod>2025-06-01T05:20:00+00:00</lastmod></url>
  <url><loc>https://x.io/compare/b-vs-c</loc><lastmod>2025-06-02</lastmod></url>
  <url><loc>https://x.io/tool/a</loc></url>
</urlset>"""


def test_parse_urlset_and_index() -> None:
    doc = parse_sitemap(URLSET)
    assert doc.kind == "urlset" and [e.loc for e in doc.entries][:2] == [
        "https://x.io/compare/a-vs-b", "https://x.io/compare/b-vs-c"]
    assert doc.entries[0].lastmod == datetime(2025, 6, 1, 5, 20, tzinfo=UTC)
    assert doc.entries[1].lastmod == datetime(2025, 6, 2, tzinfo=UTC)
    assert doc.entries[2].lastmod is None
    index = parse_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                          b"<sitemap><loc>https://x.io/s1.xml.gz</loc></sitemap></sitemapindex>")
    assert index.kind == "index" and index.entries[0].loc == "https://x.io/s1.xml.gz"


def test_gzip_is_detected_by_magic_bytes_and_bombs_are_refused() -> None:
    assert maybe_gunzip(gzip.compress(URLSET)) == URLSET  # no .gz name, no header needed
    assert maybe_gunzip(URLSET) == URLSET
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    with pytest.raises(SitemapError) as info:
        maybe_gunzip(bomb, limit=1024 * 1024)
    assert info.value.reason == "too_large"
    with pytest.raises(SitemapError) as info:
        maybe_gunzip(gzip.compress(URLSET)[:-10])
    assert info.value.reason in ("truncated_body", "bad_gzip")


def test_hostile_or_broken_sitemaps_are_refused() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;">]><urlset><url><loc>&lol2;</loc></url></urlset>')
    with pytest.raises(SitemapError):
        parse_sitemap(laughs)
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html><body>not a sitemap</body></html>")
    with pytest.raises(SitemapError):
        parse_sitemap(b"<urlset><url><loc>x</loc>")


def test_lastmod_formats() -> None:
    assert parse_lastmod("2025-06-01") == datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_lastmod("2025-06") == datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_lastmod("2025-06-01T07:00:00+02:00") == datetime(2025, 6, 1, 5, tzinfo=UTC)
    assert parse_lastmod("2025-06-01T05:00Z") == datetime(2025, 6, 1, 5, tzinfo=UTC)
    assert parse_lastmod("yesterday") is None and parse_lastmod(None) is None


def test_extract_links() -> None:
    html = (b'<a href="/compare/a-vs-b">x</a><a href=\'https://x.io/compare/c-vs-d#top\'>'
            b'<a href=/tool/a><a href="mailto:x@y"><a href="/compare/a-vs-b">')
    assert extract_links(html, "https://x.io/compare/z-vs-y") == [
        "https://x.io/compare/a-vs-b", "https://x.io/compare/c-vs-d", "https://x.io/tool/a"]


def test_discovery_on_the_replica_reads_every_urlset_gzipped_ones_included() -> None:
    with Replica(day=0, scale=250, crawl_delay=None) as r:

        async def go() -> Discovery:
            async with Fetcher(r.base_url, FAST) as f:
                policy, _ = await fetch_robots(f, r.base_url)
                return await discover(f, r.base_url, robots=policy)

        found = asyncio.run(go())
        expected = {r.url(p): r.catalog.lastmod(p) for p in r.catalog.paths()}
        assert found.mode == "sitemap"
        assert found.pages == expected
        assert any(res.url.endswith(".xml.gz") and res.outcome == "fetched"
                   for res in found.fetches)
        assert found.other and all("/tool/" in u for u in found.other)  # out of scope
        assert not found.sitemap_errors


def test_links_fallback_without_a_sitemap() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, sitemaps=False) as r:

        async def go() -> Discovery:
            async with Fetcher(r.base_url, FAST) as f:
                policy, _ = await fetch_robots(f, r.base_url)
                return await discover(f, r.base_url, robots=policy)

        found = asyncio.run(go())
        assert found.mode == "links"
        assert found.pages and set(found.pages) <= {r.url(p) for p in r.catalog.paths()}
        assert [res.kind for res in found.fetches] == ["sitemap", "start"]


# -- the plan ------------------------------------------------------------------------------

NIGHT = datetime(2025, 6, 10, 3, tzinfo=UTC)
LASTMOD = datetime(2025, 6, 1, tzinfo=UTC)


def state(url: str, **kw: object) -> UrlState:
    base: dict[str, object] = dict(
        url=url, last_outcome="fetched", last_reason=None, last_in_sitemap=True,
        last_success_at=NIGHT - timedelta(days=1), etag='"e"', last_modified="Sun, 01 Jun",
        sitemap_lastmod=LASTMOD, payload_digest="sha1:X", capture_id="c", capture_url=url,
        capture_observed_at=NIGHT - timedelta(days=1), capture_record_id="<urn:uuid:1>")
    base.update(kw)
    return UrlState(**base)  # type: ignore[arg-type]


def test_plan_is_incremental_by_lastmod() -> None:
    urls = [f"https://x.io/compare/a{i}-vs-b" for i in range(200)]
    pages = {u: LASTMOD for u in urls}
    cohort = Recheck.COHORT
    # verified 1..6 nights ago: nothing to fetch tonight, whatever the URL
    states = {u: state(u, last_success_at=NIGHT - timedelta(days=1 + i % 6))
              for i, u in enumerate(urls)}
    plan = make_plan(pages, states, run_id="r", observed_at=NIGHT, recheck_days=7,
                     recheck=cohort)
    assert plan.fetch == []
    assert {r.reason for r in plan.rows} == {"unchanged"} and len(plan.rows) == 200
    # a cohort verified 7 nights ago is rechecked tonight, all of it, conditionally
    old = set(urls[:50])
    states.update({u: state(u, last_success_at=NIGHT - timedelta(days=7)) for u in old})
    plan = make_plan(pages, states, run_id="r", observed_at=NIGHT, recheck_days=7,
                     recheck=cohort)
    assert {i.url for i in plan.fetch} == old
    assert all(i.why == "recheck" and i.etag == '"e"' for i in plan.fetch)  # conditional
    assert len(plan.rows) == 150


def test_recheck_is_due_by_age_alone() -> None:
    day = timedelta(days=1)
    assert recheck_due(None, NIGHT, 7)  # never verified
    assert not recheck_due(NIGHT, NIGHT, 7)
    assert not recheck_due(NIGHT - 6 * day, NIGHT, 7)
    assert not recheck_due(NIGHT - 6 * day - timedelta(hours=22), NIGHT, 7)
    assert recheck_due(NIGHT - 7 * day, NIGHT, 7)  # the K-th night after: due
    assert recheck_due(NIGHT - 7 * day + timedelta(minutes=5), NIGHT, 7)  # run started early
    assert recheck_due(NIGHT - 30 * day, NIGHT, 7)
    # K = 1: every night; K < 1 counts as 1
    assert recheck_due(NIGHT - day, NIGHT, 1) and recheck_due(NIGHT - day, NIGHT, 0)
    assert not recheck_due(NIGHT - timedelta(hours=12), NIGHT, 1)
    # in cohort mode the same answer for every URL: no hash stagger
    urls = [f"https://x.io/compare/a{i}-vs-b" for i in range(50)]
    for age in (6, 7):
        pages = {u: LASTMOD for u in urls}
        states = {u: state(u, last_success_at=NIGHT - age * day) for u in urls}
        plan = make_plan(pages, states, run_id="r", observed_at=NIGHT, recheck_days=7,
                         recheck=Recheck.COHORT)
        assert len(plan.fetch) == (50 if age == 7 else 0)
    # a page already off the sitemap follows the same rule
    gone_from_map = {u: state(u, last_in_sitemap=False, last_success_at=NIGHT - age * day)
                     for age, u in ((6, urls[0]), (7, urls[1]))}
    plan = make_plan({}, gone_from_map, run_id="r", observed_at=NIGHT, recheck_days=7,
                     recheck=Recheck.COHORT)
    assert [(i.url, i.why) for i in plan.fetch] == [(urls[1], "recheck")]


def _spread_nights(urls: list[str], nights: int, k: int,
                   first_verified: dict[str, int] | None = None) -> dict[str, list[int]]:
    """Plan `nights` nights in spread mode over unchanged pages, verifying what each night
    rechecks; the nights each page was rechecked on."""
    day = timedelta(days=1)
    verified = {u: (first_verified or {}).get(u, 0) for u in urls}
    seen: dict[str, list[int]] = {u: [] for u in urls}
    pages = {u: LASTMOD for u in urls}
    for n in range(1, nights + 1):
        states = {u: state(u, last_success_at=NIGHT + verified[u] * day) for u in urls}
        plan = make_plan(pages, states, run_id=f"r{n}", observed_at=NIGHT + n * day,
                         recheck_days=k)
        assert all(i.why == "recheck" and i.etag == '"e"' for i in plan.fetch)
        for item in plan.fetch:
            verified[item.url] = n
            seen[item.url].append(n)
    return seen


def test_spread_recheck_shares_the_site_evenly_over_the_k_nights() -> None:
    urls = [f"https://x.io/compare/a{i}-vs-b{i % 7}" for i in range(700)]
    k = 7
    seen = _spread_nights(urls, 28, k)  # a cohort all verified on night 0
    per_night = [sum(n in nights for nights in seen.values()) for n in range(1, 29)]
    # each night rechecks the pages of its slot: about 1/K of the site, never a burst
    assert all(50 <= c <= 150 for c in per_night), per_night
    assert sum(per_night[:k]) == len(urls)  # each page once in the first K nights
    for u, nights in seen.items():
        # on its own night, every K nights, never more than K days apart
        assert all(night_number(NIGHT + n * timedelta(days=1)) % k == recheck_slot(u, k)
                   for n in nights)
        gaps = [b - a for a, b in zip([0, *nights], nights, strict=False)]
        assert all(1 <= g <= k for g in gaps) and 28 - nights[-1] < k


def test_spread_recheck_catches_up_after_a_missed_night_and_skips_fresh_pages() -> None:
    day = timedelta(days=1)
    urls = [f"https://x.io/compare/c{i}-vs-d" for i in range(300)]
    slot_tonight = night_number(NIGHT) % 7
    mine = [u for u in urls if recheck_slot(u, 7) == slot_tonight]
    assert mine
    pages = {u: LASTMOD for u in urls}
    # verified 12 hours ago (a lastmod change last run): not rechecked on its own night
    fresh = {u: state(u, last_success_at=NIGHT - timedelta(hours=12)) for u in urls}
    assert make_plan(pages, fresh, run_id="r", observed_at=NIGHT, recheck_days=7).fetch == []
    # verified 2 days ago: only tonight's slot; 8 days ago (its own night was missed): all
    two = {u: state(u, last_success_at=NIGHT - 2 * day) for u in urls}
    plan = make_plan(pages, two, run_id="r", observed_at=NIGHT, recheck_days=7)
    assert sorted(i.url for i in plan.fetch) == sorted(mine)
    eight = {u: state(u, last_success_at=NIGHT - 8 * day) for u in urls}
    assert len(make_plan(pages, eight, run_id="r", observed_at=NIGHT,
                         recheck_days=7).fetch) == len(urls)
    # a page already off the sitemap is rechecked on its own night too
    off = {u: state(u, last_in_sitemap=False, last_success_at=NIGHT - 2 * day) for u in urls}
    plan = make_plan({}, off, run_id="r", observed_at=NIGHT, recheck_days=7)
    assert sorted(i.url for i in plan.fetch) == sorted(mine)
    # K = 1 rechecks every page every night in both modes
    one = {u: state(u, last_success_at=NIGHT - day) for u in urls}
    assert len(make_plan(pages, one, run_id="r", observed_at=NIGHT, recheck_days=1).fetch) == 300


def test_plan_reasons() -> None:
    u = [f"https://x.io/compare/p{i}-vs-q" for i in range(8)]
    pages = {u[0]: LASTMOD, u[1]: LASTMOD + timedelta(hours=1), u[2]: None, u[3]: LASTMOD,
             u[4]: LASTMOD, u[5]: LASTMOD, u[7]: LASTMOD}
    states = {
        u[0]: state(u[0], last_success_at=NIGHT - timedelta(days=8)),  # too old: recheck
        u[1]: state(u[1]),  # lastmod moved
        u[2]: state(u[2]),  # no lastmod in the sitemap
        u[3]: state(u[3], last_outcome="failed", last_reason="timeout"),
        u[4]: state(u[4], last_outcome="gone"),
        u[6]: state(u[6]),  # left the sitemap: checked once
    }

    def allowed(url: str) -> bool:
        return url != u[7]

    plan = make_plan(pages, states, run_id="r", observed_at=NIGHT, recheck_days=7,
                     allowed=allowed, other=["https://x.io/tool/a"])
    why = {i.url: i.why for i in plan.fetch}
    assert why == {u[0]: "recheck", u[1]: "lastmod_changed", u[2]: "no_lastmod",
                   u[3]: "retry", u[4]: "reappeared", u[5]: "new", u[6]: "left_sitemap"}
    rows = {r.url: (r.outcome, r.reason) for r in plan.rows}
    assert rows == {u[7]: ("disallowed", "robots"),
                    "https://x.io/tool/a": ("out_of_scope", "not_a_comparison_page")}
    assert [i.why for i in plan.fetch][0] == "retry"  # failures first
    # done URLs (a resumed run) are left alone; max_pages cuts by priority
    plan2 = make_plan(pages, states, run_id="r", observed_at=NIGHT, recheck_days=1000,
                      allowed=allowed, done={u[3]}, max_pages=2)
    assert u[3] not in {i.url for i in plan2.fetch} | {r.url for r in plan2.rows}
    assert [i.why for i in plan2.fetch] == ["new", "lastmod_changed"]
    assert sum(r.reason == "max_pages" for r in plan2.rows) == 3


# -- a site's malformed URLs are skipped, not raised ----------------------------------------


def test_malformed_urls_in_links_robots_and_sitemaps_are_skipped() -> None:
    import httpx
    from fake_http import Streamed

    assert extract_links(b'<a href="http://[oops/x"><a href="/compare/a-vs-b">',
                         "https://x.io/") == ["https://x.io/compare/a-vs-b"]
    base = "http://127.0.0.1:9"
    bodies = {
        "/robots.txt": b"User-agent: *\nAllow: /\nSitemap: http://[oops/s.xml\n"
                       b"Sitemap: /sitemap.xml\n",
        "/sitemap.xml": b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://[oops/compare/x-vs-y</loc></url>
  <url><loc>/compare/a-vs-b</loc><lastmod>2025-06-01</lastmod></url>
</urlset>""",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        body = bodies.get(request.url.path)
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"content-type": "text/xml"})

    async def go() -> Discovery:
        async with Fetcher(base, FAST, transport=Streamed(handler)) as f:
            policy, _ = await fetch_robots(f, base)
            return await discover(f, base, robots=policy)

    found = asyncio.run(go())
    assert found.mode == "sitemap"
    assert list(found.pages) == [f"{base}/compare/a-vs-b"]


def test_urls_out_of_scope_get_a_row_once_then_are_only_counted() -> None:
    tools = [f"https://x.io/tool/t{i}" for i in range(5)]
    known = {u: state(u, last_outcome="out_of_scope", last_reason="not_a_comparison_page")
             for u in tools[:3]}
    plan = make_plan({}, known, run_id="r", observed_at=NIGHT, other=[*tools, tools[0]])
    assert [r.url for r in plan.rows] == tools[3:]  # first seen tonight: a row each
    assert {(r.outcome, r.reason) for r in plan.rows} == {("out_of_scope",
                                                           "not_a_comparison_page")}
    assert plan.known_out_of_scope == tools[:3]  # recorded before: counted only, once
    assert plan.fetch == [] and plan.counts()["out_of_scope:known"] == 3
    # a resumed run that already has a row for one leaves it out of both
    again = make_plan({}, known, run_id="r", observed_at=NIGHT, other=tools, done={tools[3]})
    assert [r.url for r in again.rows] == tools[4:] and again.known_out_of_scope == tools[:3]
