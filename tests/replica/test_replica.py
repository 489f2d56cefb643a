"""The replica of shiporskip.io: real sockets, httpx clients, an in-process server on port 0."""

from __future__ import annotations

import contextlib
import gzip
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from replica import PROFILES, Catalog, Replica, World, parse_profiles, start_replica
from replica.render import render_comparison

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "replica" / "data" / "seeds"
LOC = re.compile(r"<loc>(.*?)</loc>")
URL_LASTMOD = re.compile(r"<url><loc>(.*?)</loc><lastmod>(.*?)</lastmod>")
HREF = re.compile(r'href="(/[^"]*)"')

try:  # the parser's own line extraction, if it is there
    from parsers.page import from_html as _parser_from_html
except ImportError:  # pragma: no cover - before the parser exists
    _parser_from_html = None

try:
    from parsers import ParseError, parse_comparison
except ImportError:  # pragma: no cover
    parse_comparison = None


def visible_lines(html: str) -> list[str]:
    """A page's visible lines with chrome dropped (the parser's rules when available)."""
    if _parser_from_html is not None:
        return _parser_from_html(html).lines
    from selectolax.lexbor import LexborHTMLParser  # pragma: no cover

    tree = LexborHTMLParser(re.sub(r"<!--.*?-->", "", html, flags=re.S))  # pragma: no cover
    for sel in ("script", "style", "svg", "header", "aside", "nav"):  # pragma: no cover
        for node in tree.css(sel):
            node.decompose()
    for node in tree.css("a, span, b, strong, em, code"):  # pragma: no cover
        node.unwrap()
    tree.body.merge_text_nodes()  # pragma: no cover
    return [" ".join(t.split()) for t in tree.body.text(separator="\x00").split("\x00")
            if t.strip()]  # pragma: no cover


def seed_lines(seed_id: str) -> list[str]:
    (path,) = SEEDS.glob(f"{seed_id}_*.txt")
    return [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def site() -> Iterator[Replica]:
    with Replica(day=0) as rep:
        yield rep


@pytest.fixture(scope="module")
def client(site: Replica) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base_url, timeout=10) as c:
        yield c


def sitemap_urls(client: httpx.Client, base: str = "") -> dict[str, str]:
    """Every comparison URL in the sitemaps → its lastmod."""
    index = client.get(base + "/sitemap.xml")
    assert index.status_code == 200
    out: dict[str, str] = {}
    for loc in LOC.findall(index.text):
        r = client.get(loc)
        assert r.status_code == 200, loc
        body = gzip.decompress(r.content) if loc.endswith(".gz") else r.content
        for url, lastmod in URL_LASTMOD.findall(body.decode()):
            if "/compare/" in url:
                out[url] = lastmod
    return out


# -- content, determinism, days ----------------------------------------------------------

def test_same_seed_and_day_give_the_same_bytes() -> None:
    a, b = Replica(day=4, seed=7), Replica(day=4, seed=7)
    with a, b, httpx.Client(timeout=10) as c:
        paths = ["/", "/robots.txt", "/sitemap.xml", *a.catalog.paths()[::25]]
        for path in paths:
            ra, rb = c.get(a.base_url + path), c.get(b.base_url + path)
            assert ra.status_code == rb.status_code == 200, path
            assert ra.content.replace(a.base_url.encode(), b"BASE") == \
                rb.content.replace(b.base_url.encode(), b"BASE"), path
    assert Replica(day=4, seed=8).catalog.paths() != a.catalog.paths()
    later = Replica(day=10, seed=7)
    later.set_day(4)  # going back in time gives the same site
    assert later.catalog.paths() == a.catalog.paths()
    assert all(later.catalog.comparison(p) == a.catalog.comparison(p)
               for p in a.catalog.paths())


def test_catalog_has_the_site_quirks() -> None:
    world = World(1)
    cat = Catalog(world, 0)
    assert 90 <= len(cat.tools) <= 130 and 250 <= len(cat.pages) <= 400
    vendors = {t.tool.vendor for t in cat.tools.values()}
    assert len(vendors) >= 25
    pages = [cat.comparison(p) for p in cat.paths()]
    assert {p.layout for p in pages} == {"full", "compact"}
    assert {p.markup for p in pages} == {"semantic", "grid"}
    views = [tv for p in pages for tv in p.tools]
    assert {tv.badge for tv in views} == {"Ship", "Mixed", "Skip"}
    assert {tv.panel_ship_pct for tv in views} == {100, 75, 67, 50, 25}
    assert any(len(p.personas) == 3 for p in pages)
    assert any(p.tools[0].name == p.tools[1].name for p in pages)  # a name vs itself
    names = Counter(t.tool.name for t in cat.tools.values())
    assert sum(n > 1 for n in names.values()) >= 3  # one name, several slugs
    seen: dict[str, set] = {}
    for tv in views:
        seen.setdefault(tv.slug, set()).add((tv.panel_ship_pct, tv.category))
    assert sum(len(v) > 1 for v in seen.values()) >= 5  # pages disagree on the same day
    slugs = set(cat.tools)
    assert {"windsurf", "gemini-api"} <= slugs
    assert any("-releases-" in s or "-open-sources-" in s for s in slugs)
    for p in pages:
        assert p.slug_a < p.slug_b and p.path == f"/compare/{p.slug_a}-vs-{p.slug_b}"
        assert [tv.slug for tv in p.tools] == [p.slug_a, p.slug_b]
        for tv in p.tools:
            assert all(52 <= r.score <= 88 for r in tv.reviews)
            assert all((r.verdict == "ship") == (r.score >= 66) for r in tv.reviews)
    texts = " ".join(tv.description + " ".join(r.text for r in tv.reviews) for tv in views)
    for ch in ("—", "“", "`", "$", "🙌"):
        assert ch in texts
    later = Catalog(world, 20)
    votes = [tv for p in later.paths() for tv in later.comparison(p).tools if tv.has_votes]
    assert votes and all(re.fullmatch(r"\d+%", tv.community_card("compact")) for tv in votes)
    assert all(re.fullmatch(r"\d+% Ship \(\d+ / \d+\)", tv.community_row) for tv in votes)
    assert any(tv.community_row == "0% Ship (0 / 1)" for tv in votes)  # as on the live site


def test_a_steady_world_keeps_its_size_while_pages_come_and_go() -> None:
    steady, growing = World(2, scale=300, steady=True), World(2, scale=300)
    steady.ensure_day(120)
    growing.ensure_day(120)

    def live(w: World, day: int) -> int:
        return sum(1 for r in w.page_order if r.alive(day))

    assert [live(steady, d) for d in (0, 30, 60, 120)] == [live(steady, 0)] * 4
    added = sum(len(steady.events[d].added_pages) for d in range(1, 121))
    removed = sum(len(steady.events[d].removed_pages) for d in range(1, 121))
    changed = sum(len(steady.events[d].changed_pages) for d in range(1, 121))
    assert added == removed > 120 and changed > 120  # pages do come, go and change
    assert live(growing, 120) > 2 * live(growing, 0)  # the default world grows
    # the same day 0 either way
    assert Catalog(steady, 0).paths() == Catalog(growing, 0).paths()


def test_days_change_a_few_pages_and_only_their_lastmod() -> None:
    world = World(1)
    prev = Catalog(world, 0)
    for day in range(1, 12):
        cat = Catalog(world, day)
        assert cat.added and cat.changed
        both = [p for p in cat.paths() if p in prev.pages]
        moved = {p for p in both if cat.lastmod(p) != prev.lastmod(p)}
        content = {p for p in both if cat.comparison(p) != prev.comparison(p)}
        assert moved == content == set(cat.changed)
        churn = (len(cat.changed) + len(cat.added) + len(cat.removed)) / len(prev.pages)
        assert 0.01 <= churn <= 0.05, (day, churn)
        for p in cat.added:
            assert p not in prev.pages and cat.lastmod(p).date() == cat.date
        prev = cat


def test_sitemap_lastmod_and_validators_follow_content(site: Replica) -> None:
    with Replica(day=0) as rep, httpx.Client(timeout=10) as c:
        before = {u.removeprefix(rep.base_url): m for u, m in sitemap_urls(c, rep.base_url).items()}
        tags0 = {p: c.head(rep.base_url + p).headers["etag"] for p in list(before)[:300]}
        rep.set_day(3)
        after = {u.removeprefix(rep.base_url): m for u, m in sitemap_urls(c, rep.base_url).items()}
        assert set(after) == set(rep.catalog.paths())
        changed_days = set()
        for d in (1, 2, 3):
            changed_days |= Catalog(rep.world, d).changed
        for p, m in after.items():
            if p in before:
                assert (m != before[p]) == (p in changed_days), p
        for p, tag in tags0.items():
            if p in after:
                now = c.head(rep.base_url + p).headers["etag"]
                assert (now != tag) == (p in changed_days), p


def test_removed_pages_answer_404_or_410() -> None:
    with Replica(day=0) as rep, httpx.Client(timeout=10) as c:
        alive0 = set(rep.catalog.paths())
        rep.set_day(12)
        gone = rep.catalog.gone
        assert set(gone.values()) == {404, 410}
        urls = set(sitemap_urls(c, rep.base_url))
        for path, status in gone.items():
            assert path in alive0 or Catalog(rep.world, 0).day == 0
            assert c.get(rep.base_url + path).status_code == status
            assert rep.base_url + path not in urls
        assert c.get(rep.base_url + "/compare/nope-vs-nothing").status_code == 404


def test_template_changes_on_its_day_with_the_same_text() -> None:
    with Replica(day=8) as rep, httpx.Client(timeout=10) as c:
        stable = [p for p in rep.catalog.paths()
                  if Catalog(rep.world, 9).comparison(p) == rep.catalog.comparison(p)]
        sample = stable[:40]
        old = {p: c.get(rep.base_url + p).text for p in sample}
        rep.set_day(9)
        assert rep.catalog.template == 2
        for p in sample:
            new = c.get(rep.base_url + p).text
            assert new != old[p]
            old_classes = set(re.findall(r'class="([^"]+)"', old[p]))
            new_classes = set(re.findall(r'class="([^"]+)"', new))
            assert len(old_classes & new_classes) <= 2
            assert visible_lines(new) == visible_lines(old[p]), p


# -- seeds and the parser oracle ---------------------------------------------------------

@pytest.mark.parametrize("day", [0, 9])
def test_seed_pages_render_exactly_the_seed_text(day: int) -> None:
    with Replica(day=day) as rep, httpx.Client(timeout=10) as c:
        seeds = rep.catalog.seed_paths
        assert sorted(seeds) == ["000", "001", "002", "003", "004"]
        assert seeds["000"] == ("/compare/hugging-face-smolvlm2-turbo-on-device-vision-"
                                "language-model-vs-mistral-large-3")
        for seed_id, path in seeds.items():
            r = c.get(rep.base_url + path)
            assert r.status_code == 200
            assert visible_lines(r.text) == seed_lines(seed_id), seed_id


def _compare(expected: dict, got: dict, where: str) -> None:
    for key in ("url", "layout", "title", "truncated"):
        assert got[key] == expected[key], (where, key)
    assert len(got["tools"]) == 2 and len(got["reviews"]) == len(expected["reviews"]), where
    for e, g in zip(expected["tools"] + expected["reviews"], got["tools"] + got["reviews"],
                    strict=True):
        for key, value in g.items():
            if key in e:
                assert value == e[key], (where, key, e[key], value)


@pytest.mark.skipif(parse_comparison is None, reason="parsers not available yet")
def test_every_served_page_parses_to_the_catalog_values() -> None:
    checked: Counter = Counter()
    with Replica(day=0) as rep, httpx.Client(timeout=10) as c:
        for day in (0, 5, 9, 16):
            rep.set_day(day)
            paths = rep.catalog.paths()
            if day not in (0, 9):
                paths = sorted(rep.catalog.changed | rep.catalog.added) + paths[::7]
            for path in paths:
                url = rep.base_url + path
                r = c.get(url)
                assert r.status_code == 200
                page = rep.catalog.comparison(path)
                try:
                    got = parse_comparison(r.content, url=url,
                                           content_type=r.headers["content-type"]).to_dict()
                except ParseError as exc:  # pragma: no cover - reported with the page
                    raise AssertionError(f"day {day} {path}: {exc}") from exc
                _compare(page.expected(url), got, f"day {day} {path}")
                checked[(page.layout, page.markup, rep.catalog.template)] += 1
    assert len(checked) == 8, checked  # 2 layouts x 2 markups x 2 templates


@pytest.mark.skipif(parse_comparison is None, reason="parsers not available yet")
def test_pages_parse_without_a_url_from_their_canonical_link(site: Replica,
                                                             client: httpx.Client) -> None:
    for path in site.catalog.paths()[:30]:
        got = parse_comparison(client.get(path).content).to_dict()
        assert [t["slug"] for t in got["tools"]] == \
            [site.catalog.pages[path].slug_a, site.catalog.pages[path].slug_b]


# -- HTTP --------------------------------------------------------------------------------

def test_robots_and_sitemaps_agree_with_the_served_pages(site: Replica,
                                                         client: httpx.Client) -> None:
    robots = client.get("/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    text = robots.text
    assert "Disallow: /api/" in text and "Disallow: /compare/*?*" in text
    assert "Crawl-delay: 1" in text
    assert f"Sitemap: {site.base_url}/sitemap.xml" in text
    index = client.get("/sitemap.xml").text
    locs = LOC.findall(index)
    assert len(locs) >= 3 and any(loc.endswith(".xml.gz") for loc in locs)
    gz = next(loc for loc in locs if loc.endswith(".gz"))
    r = client.get(gz)
    assert r.headers["content-type"] in ("application/gzip", "application/x-gzip")
    assert "content-encoding" not in r.headers
    assert gzip.decompress(r.content).startswith(b"<?xml")
    urls = sitemap_urls(client)
    assert {u.removeprefix(site.base_url) for u in urls} == set(site.catalog.paths())
    for url, lastmod in list(urls.items())[::40]:
        page = client.get(url)
        assert page.status_code == 200
        assert page.headers["last-modified"] == format_datetime(
            site.catalog.lastmod(url.removeprefix(site.base_url)), usegmt=True)
        assert lastmod.startswith(site.catalog.lastmod(url.removeprefix(site.base_url))
                                  .date().isoformat())
    tools = client.get("/sitemaps/tools.xml").text
    assert len(LOC.findall(tools)) == len(site.catalog.tools)
    for url, lastmod in URL_LASTMOD.findall(tools)[::20]:
        r = client.get(url)
        assert r.status_code == 200
        slug = url.rsplit("/", 1)[-1]
        assert lastmod == site.catalog.tool_lastmod(slug).isoformat()
        assert client.get(url, headers={"if-none-match": r.headers["etag"]}).status_code == 304
    assert client.post("/compare/x-vs-y", content=b"x").status_code == 405


def test_without_sitemaps_every_page_is_reachable_by_links() -> None:
    with Replica(day=2, sitemaps=False) as rep, httpx.Client(base_url=rep.base_url) as c:
        assert "Sitemap:" not in c.get("/robots.txt").text
        assert c.get("/sitemap.xml").status_code == 404
        found: set[str] = set()
        todo, seen = ["/"], set()
        while todo:
            path = todo.pop()
            if path in seen or path.startswith("/compare/"):
                continue
            seen.add(path)
            for href in HREF.findall(c.get(path).text):
                if href.startswith("/compare/") and "?" not in href:
                    found.add(href)
                elif href == "/comparisons/" or href.startswith("/comparisons/page/"):
                    todo.append(href)
        assert found >= set(rep.catalog.paths())
        page = c.get(rep.catalog.paths()[len(rep.catalog.paths()) // 2]).text
        related = [h for h in HREF.findall(page) if h.startswith("/compare/") and "?" not in h]
        assert len(related) >= 3


def test_conditional_get_head_and_gzip(site: Replica, client: httpx.Client) -> None:
    path = site.catalog.paths()[10]
    r = client.get(path, headers={"accept-encoding": "identity"})
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(r.content)
    etag, lm = r.headers["etag"], r.headers["last-modified"]
    assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200
    nm = client.get(path, headers={"if-modified-since": lm})
    assert nm.status_code == 304 and nm.content == b"" and nm.headers["etag"] == etag
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get(path, headers={"if-modified-since": old}).status_code == 200
    z = client.get(path, headers={"accept-encoding": "gzip"})
    assert z.headers["content-encoding"] == "gzip" and z.content == r.content
    assert z.headers["vary"] == "Accept-Encoding"
    assert client.get(path, headers={"if-none-match": z.headers["etag"]}).status_code == 304
    h = client.head(path, headers={"accept-encoding": "identity"})
    assert h.status_code == 200 and h.content == b""
    assert h.headers["content-length"] == r.headers["content-length"]


def test_other_pages_redirects_and_404(site: Replica, client: httpx.Client) -> None:
    page = site.catalog.comparison(site.catalog.paths()[3])
    swapped = f"/compare/{page.slug_b}-vs-{page.slug_a}"
    r = client.get(swapped)
    assert r.status_code == 301 and r.headers["location"] == page.path
    assert client.get(page.path + "/").headers["location"] == page.path
    tool = client.get(f"/tool/{page.slug_a}")
    assert tool.status_code == 200
    assert re.search(r"The \w+ — \w+ \w+", tool.text) and "/10<" in tool.text
    assert re.search(r"\d ships? · \d skips?", tool.text)
    rev = client.get("/reviewer/builder?category=AI%2FML+Models")
    assert rev.status_code == 200 and "Category: AI/ML Models" in rev.text
    assert client.get("/reviewer/nobody").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    home = client.get("/").text
    assert sum(h.startswith("/compare/") for h in HREF.findall(home)) >= 50


def _wait_for_log(rep: Replica, n: int, prefix: str = "/", timeout: float = 10.0) -> list:
    """The log entries for paths under `prefix`, once there are `n`: the server logs a
    request just after answering it, so the client can be a moment ahead of the log."""
    deadline = time.monotonic() + timeout
    while True:
        entries = [e for e in list(rep.requests) if e.path.startswith(prefix)]
        if len(entries) >= n or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(entries) == n, f"expected {n} logged requests, got {len(entries)}"
    return entries


def _wait_for_entry(rep: Replica, path: str, timeout: float = 10.0):
    """The latest log entry for `path`, once the server has logged it."""
    deadline = time.monotonic() + timeout
    while not (entries := [e for e in list(rep.requests) if e.path == path]):
        assert time.monotonic() < deadline, f"no logged request for {path}"
        time.sleep(0.01)
    return entries[-1]


def test_request_log(site: Replica, client: httpx.Client) -> None:
    site.clear_log()
    path = site.catalog.paths()[1]
    client.get(path, headers={"X-Probe": "1", "accept-encoding": "identity"})
    client.head(path + "?x=1")
    first, second = _wait_for_log(site, 2, prefix=path)
    assert first.method == "GET" and first.path == path and first.status == 200
    assert first.headers["x-probe"] == "1" and first.bytes_sent > 1000
    assert second.method == "HEAD" and second.path == path + "?x=1" and second.bytes_sent == 0
    assert first.connection_id == second.connection_id  # keep-alive
    assert first.started <= first.finished <= second.started <= time.monotonic()
    assert first.client.startswith("127.0.0.1:")


def test_big_catalog_builds() -> None:
    world = World(3, scale=10_000)
    cat = Catalog(world, 2)
    assert len(world.pages) >= 10_000 and len(cat.pages) >= 10_000
    html = render_comparison(cat.comparison(cat.paths()[-1]), base_url="http://x",
                             epoch=cat.template)
    assert b"Reviewer scorecard" in html


# -- faults ------------------------------------------------------------------------------

def test_fault_profiles_parse() -> None:
    assert parse_profiles("5xx, slow") == ("5xx", "slow")
    assert parse_profiles("all") == tuple(PROFILES)
    assert parse_profiles(None) == ()
    with pytest.raises(ValueError):
        parse_profiles("gremlins")


def _faulty(rep: Replica, profile: str) -> dict:
    paths = rep.faulty_paths(profile)
    share = len(rep.faulty_paths()) / len(rep.catalog.paths())
    assert paths and share < 0.4
    return paths


@pytest.fixture(scope="module")
def faulty() -> Iterator[Replica]:
    with Replica(day=1, faults="all", slow_delay=1.0, oversized_bytes=3_000_000) as rep:
        yield rep


def test_fault_share_of_one_profile() -> None:
    rep = Replica(day=0, faults="5xx")
    share = len(rep.faulty_paths()) / len(rep.catalog.paths())
    assert 0.08 <= share <= 0.22


def test_5xx_and_429_heal_or_stay(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for profile in ("5xx", "429"):
            for path, fault in _faulty(faulty, profile).items():
                statuses = [c.get(path).status_code for _ in range(3)]
                if fault.permanent:
                    assert statuses == [fault.status] * 3
                else:
                    assert statuses[: fault.failures] == [fault.status] * fault.failures
                    assert statuses[fault.failures:] == [200] * (3 - fault.failures)
                if profile == "429":
                    faulty.reset_attempts()
                    assert c.get(path).headers["retry-after"] == "1"
        assert {e.fault for e in faulty.requests} >= {"5xx", "429"}


def test_slow_is_slower_than_a_short_timeout(faulty: Replica) -> None:
    path, fault = next(iter(_faulty(faulty, "slow").items()))
    with httpx.Client(base_url=faulty.base_url, timeout=0.3) as c, \
            pytest.raises(httpx.TimeoutException):
        c.get(path)
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        t0 = time.monotonic()
        assert c.get(path).status_code == 200
        took = time.monotonic() - t0
        assert took >= 0.9 if fault.active(1) else took < 0.9


def test_reset_and_truncated_break_the_response(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for profile, error in (("reset", httpx.ReadError),
                               ("truncated", httpx.RemoteProtocolError)):
            path, fault = next(iter(_faulty(faulty, profile).items()))
            faulty.reset_attempts()
            with pytest.raises(error):
                c.get(path, headers={"accept-encoding": "identity"})
            entry = _wait_for_entry(faulty, path)
            assert entry.fault == profile and entry.bytes_sent > 0
            if not fault.permanent:
                for _ in range(fault.failures - 1):
                    with pytest.raises(httpx.TransportError):
                        c.get(path)
                assert c.get(path).status_code == 200


def test_oversized_is_big_every_time(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=10) as c:
        for path, fault in _faulty(faulty, "oversized").items():
            with c.stream("GET", path) as r:
                size = sum(len(b) for b in r.iter_raw())
            assert size >= 3_000_000 if fault.variant == "length" else size > 2_900_000
            assert ("content-length" in r.headers) == (fault.variant == "length")


def test_redirect_faults_point_where_they_should(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for path in _faulty(faulty, "redirect-private"):
            loc = c.get(path).headers["location"]
            assert loc.startswith(("http://169.254.169.254/", "http://10.0.0.1/"))
        for path in _faulty(faulty, "redirect-offsite"):
            loc = c.get(path).headers["location"]
            host = httpx.URL(loc).host
            assert host not in ("127.0.0.1", "localhost") and c.get(path).status_code == 301
        path = next(iter(_faulty(faulty, "redirect-loop")))
        with pytest.raises(httpx.TooManyRedirects):
            c.get(path, follow_redirects=True)


def test_malformed_and_wrong_content_type(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for path in _faulty(faulty, "malformed"):
            r = c.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            assert b"\xff" in r.content and not r.content.rstrip().endswith(b"</html>")
        for path, fault in _faulty(faulty, "content-type").items():
            r = c.get(path)
            expected = "application/pdf" if fault.variant == "pdf" else "image/png"
            assert r.headers["content-type"] == expected
            assert r.content[:4] in (b"%PDF", b"\x89PNG")


def test_faults_spare_other_urls_and_are_logged() -> None:
    with Replica(day=1, faults="all", slow_delay=0.5, oversized_bytes=200_000) as faulty:
        bad = faulty.faulty_paths()
        good = [p for p in faulty.catalog.paths() if p not in bad][:20]
        with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
            assert all(c.get(p).status_code == 200 for p in good)
            first_of_each = {}
            for path, fault in bad.items():
                first_of_each.setdefault(fault.profile, path)
            for path in first_of_each.values():
                with contextlib.suppress(httpx.TransportError):  # resets, cut bodies
                    c.get(path, headers={"accept-encoding": "identity"})
        entries = _wait_for_log(faulty, len(good) + len(first_of_each))
    profiles = {e.fault for e in entries if e.fault}
    assert profiles == set(first_of_each)
    assert profiles >= {"5xx", "429", "slow", "reset", "truncated", "oversized",
                        "redirect-private", "malformed", "content-type"}
    assert all(e.status == 200 for e in entries if e.path in good)
    other = Replica(day=1, faults="all", seed=1)
    assert {p: f.profile for p, f in other.faulty_paths().items()} == \
        {p: f.profile for p, f in bad.items()}


def test_start_replica_and_socket_reuse() -> None:
    rep = start_replica(day=0, port=0)
    try:
        host, port = rep.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        assert data.count(b"HTTP/1.1 200 OK") == 2
    finally:
        rep.stop()


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "cli", "replica", "--port", "0",
                             "--day", "2", "--faults", "5xx"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)", first).group(1)
        for line in proc.stdout:
            if "Ctrl-C" in line:
                break
        assert httpx.get(base + "/robots.txt").status_code == 200
    finally:
        proc.send_signal(2)
        assert proc.wait(timeout=10) == 0


def test_clear_log_waits_for_the_requests_being_answered() -> None:
    """A request is logged after its answer; one still being answered when the log is
    cleared is logged first, and not left to land in the cleared log."""
    with Replica(faults="slow", fault_rate=1.0, slow_delay=0.5, crawl_delay=None) as r:
        path = next(p for p in r.catalog.paths() if r.catalog.pages[p].seed is None)
        got: list[int] = []
        client = threading.Thread(
            target=lambda: got.append(httpx.get(r.url(path), timeout=10).status_code))
        client.start()
        deadline = time.monotonic() + 5
        while not r._in_flight and time.monotonic() < deadline:  # being answered (slowly)
            time.sleep(0.005)
        assert r._in_flight == 1
        r.clear_log()
        client.join()
        assert got == [200] and r.requests == []
