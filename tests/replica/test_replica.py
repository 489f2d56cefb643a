"""The replica of shiporskip.io: real sockets, httpx clients, an in-process server on port 0."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from parsers import ParseError, parse_comparison
from parsers.page import from_html
from replica import Catalog, Replica, World

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "replica" / "data" / "seeds"
LOC = re.compile(r"<loc>(.*?)</loc>")
URL_LASTMOD = re.compile(r"<url><loc>(.*?)</loc><lastmod>(.*?)</lastmod>")
HREF = re.compile(r'href="(/[^"]*)"')


def visible_lines(html: str) -> list[str]:
    """A page's visible lines with chrome dropped, by the parser's own rules."""
    return from_html(html).lines


def seed_lines(seed_id: str) -> list[str]:
    (path,) = SEEDS.glob(f"{seed_id}_*.txt")
    return [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


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
