"""One day's site: what each path serves (faults aside), rendered through the cache."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from replica import render
from replica._responses import _LRU, HTML, XML, Rendered, _ok, redirect
from replica.catalog import Catalog, day_date
from replica.vocab import PERSONAS


class Site:
    """Everything served on one day; immutable once built (set_day swaps in a new one)."""

    def __init__(self, catalog: Catalog, base_url: str, *, sitemaps: bool,
                 crawl_delay: float | None, page_cache: _LRU) -> None:
        self.catalog = catalog
        self.base_url = base_url
        self.sitemaps = sitemaps
        self.crawl_delay = crawl_delay
        self.epoch = catalog.template
        self.page_cache = page_cache
        self.cache = _LRU(2048)
        paths = catalog.paths()
        self.chunk = max(100, len(paths) // 20)
        self.chunks = [paths[i:i + self.chunk] for i in range(0, len(paths), self.chunk)]
        self.start_mono = time.monotonic()
        self.tool_lastmod = {s: catalog.tool_lastmod(s) for s in catalog.tools}

    # -- helpers --------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated clock for the Date header: noon of the day, then real seconds."""
        d = day_date(self.catalog.day)
        noon = datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
        return noon + timedelta(seconds=int(time.monotonic() - self.start_mono))

    def sitemap_name(self, i: int) -> str:
        return f"/sitemaps/compare-{i + 1}.xml" + (".gz" if i % 2 == 1 else "")

    # -- routes ---------------------------------------------------------------------------

    def comparison(self, path: str) -> Rendered | None:
        page = self.catalog.comparison(path)
        if page is None:
            return None
        key = (path, page.version, self.epoch, self.base_url)
        return self.page_cache.get(key, lambda: _ok(
            render.render_comparison(page, base_url=self.base_url, epoch=self.epoch), HTML,
            page.lastmod))

    def error(self, status: int, path: str) -> Rendered:
        r = self.cache.get(("error", status), lambda: Rendered(
            render.render_error(status, "/", base_url=self.base_url, epoch=self.epoch), HTML,
            status=status))
        return r

    def route(self, path: str, query: str) -> Rendered:
        """The response for a path (faults aside): an exact path, else a path prefix."""
        if path.startswith("/compare/"):
            return self._compare(path)
        exact = _EXACT_ROUTES.get(path)
        if exact is not None:
            return exact(self, path, query)
        for prefix, handler in _PREFIX_ROUTES:
            if path.startswith(prefix):
                return handler(self, path, query)
        return self.error(404, path)

    def _compare(self, path: str) -> Rendered:
        """A comparison page; its trailing-slash and reversed-pair forms redirect."""
        cat = self.catalog
        rest = path[len("/compare/"):]
        if rest.endswith("/") and rest.strip("/"):
            return redirect(301, path.rstrip("/"))
        r = self.comparison(path)
        if r is not None:
            return r
        if path in cat.gone:
            return self.error(cat.gone[path], path)
        if "-vs-" in rest:  # the same pair in the other order
            for i in range(len(rest)):
                i = rest.find("-vs-", i)
                if i < 0:
                    break
                swapped = f"/compare/{rest[i + 4:]}-vs-{rest[:i]}"
                if swapped in cat.pages:
                    return redirect(301, swapped)
        return self.error(404, path)

    def _route_home(self, path: str, query: str) -> Rendered:
        return self.cache.get("home", self._home)

    def _route_robots(self, path: str, query: str) -> Rendered:
        return self.cache.get("robots", lambda: _ok(render.render_robots(
            self.base_url, sitemaps=self.sitemaps, crawl_delay=self.crawl_delay),
            "text/plain; charset=utf-8"))

    def _route_sitemap(self, path: str, query: str) -> Rendered:
        if not self.sitemaps:
            return self.error(404, path)
        return self.cache.get(("sitemap", path), lambda: self._sitemap(path))

    def _route_index(self, path: str, query: str) -> Rendered:
        return self.cache.get(("index", path), lambda: self._index(path))

    def _route_tool(self, path: str, query: str) -> Rendered:
        slug = path[len("/tool/"):]
        if slug not in self.catalog.tools:
            return self.error(404, path)
        return self.cache.get(("tool", slug), lambda: self._tool(slug))

    def _route_tools(self, path: str, query: str) -> Rendered:
        cat = self.catalog
        return self.cache.get("tools", lambda: _ok(render.render_tools_index(
            sorted(((s, t.tool.name) for s, t in cat.tools.items()), key=lambda x: x[1]),
            base_url=self.base_url, epoch=self.epoch), HTML))

    def _route_reviewer(self, path: str, query: str) -> Rendered:
        return self._reviewer(path[len("/reviewer/"):].strip("/"), query)

    def _route_search(self, path: str, query: str) -> Rendered:
        cat = self.catalog
        q = parse_qs(query).get("q", [""])[0].lower()
        hits = [(p, cat.title(p)) for p in cat.paths() if q and q in cat.title(p).lower()]
        return _ok(render.render_search(q, hits[:50], base_url=self.base_url,
                                        epoch=self.epoch), HTML)

    def _route_api(self, path: str, query: str) -> Rendered:
        return self._api(path)

    def _route_asset(self, path: str, query: str) -> Rendered:
        ctype = "text/css" if path.endswith(".css") else "application/javascript"
        return _ok(b"/* replica asset */\n", f"{ctype}; charset=utf-8")

    def _route_static(self, path: str, query: str) -> Rendered:
        return self.cache.get(("static", path), lambda: _ok(render.simple_page(
            path.strip("/").capitalize(), self.base_url + path, self.epoch,
            [f"<main><h1>{path.strip('/').capitalize()}</h1><p>Ship or Skip compares new "
             "AI tools with a panel of critics.</p></main>"]), HTML))

    def _home(self) -> Rendered:
        cat = self.catalog
        paths = cat.paths()
        latest = [(p, cat.title(p)) for p in reversed(paths[-60:])]
        tools = sorted(((s, t.tool.name) for s, t in cat.tools.items()),
                       key=lambda x: x[1])[:40]
        return _ok(render.render_home(latest, tools, len(paths), base_url=self.base_url,
                                      epoch=self.epoch), HTML)

    def _index(self, path: str) -> Rendered:
        per = 200
        paths = self.catalog.paths()
        pages = max(1, -(-len(paths) // per))
        if path == "/comparisons/":
            n = 1
        else:
            try:
                n = int(path.rsplit("/", 1)[-1])
            except ValueError:
                return self.error(404, path)
        if not 1 <= n <= pages:
            return self.error(404, path)
        entries = [(p, self.catalog.title(p)) for p in paths[(n - 1) * per:n * per]]
        return _ok(render.render_index(entries, n, pages, base_url=self.base_url,
                                       epoch=self.epoch), HTML)

    def _tool(self, slug: str) -> Rendered:
        cat = self.catalog
        tool = cat.tool(slug)
        assert tool is not None
        comps = [(r.path, cat.title(r.path)) for r in cat.tool_pages(slug)]
        return _ok(render.render_tool(tool, comps, base_url=self.base_url, epoch=self.epoch),
                   HTML, self.tool_lastmod[slug])

    def _reviewer(self, persona_slug: str, query: str) -> Rendered:
        persona = next((p for p in PERSONAS if p.lower() == persona_slug.lower()), None)
        if persona is None:
            return self.error(404, "/reviewer/" + persona_slug)
        category = parse_qs(query).get("category", [None])[0]

        def make() -> Rendered:
            tools = [self.catalog.tool(s) for s in sorted(self.catalog.tools)]
            chosen = [t for t in tools if t is not None and (category is None
                                                              or t.category == category)]
            return _ok(render.render_reviewer(persona, category, chosen[:100],
                                              base_url=self.base_url, epoch=self.epoch,
                                              query=query), HTML)
        return self.cache.get(("reviewer", persona, category), make)

    def _api(self, path: str) -> Rendered:
        if path.startswith("/api/compare/"):
            page = self.catalog.comparison("/compare/" + path[len("/api/compare/"):])
            if page is not None:
                body = json.dumps(page.expected(), ensure_ascii=False).encode()
                return _ok(body, "application/json")
        body = json.dumps({"error": "not found"}).encode()
        return Rendered(body, "application/json", status=404)

    def _sitemap(self, path: str) -> Rendered:
        cat, base = self.catalog, self.base_url
        if path in ("/sitemap.xml", "/sitemap_index.xml"):
            entries = []
            for i, chunk in enumerate(self.chunks):
                entries.append((base + self.sitemap_name(i),
                                max(cat.lastmod(p) for p in chunk)))
            entries.append((base + "/sitemaps/tools.xml", max(self.tool_lastmod.values())))
            return _ok(render.render_sitemap_index(entries), XML)
        if path == "/sitemaps/tools.xml":
            entries = [(f"{base}/tool/{s}", self.tool_lastmod[s]) for s in sorted(cat.tools)]
            return _ok(render.render_urlset(entries, "weekly"), XML)
        for i, chunk in enumerate(self.chunks):
            if path == self.sitemap_name(i):
                xml = render.render_urlset([(base + p, cat.lastmod(p)) for p in chunk])
                if path.endswith(".gz"):
                    return _ok(gzip.compress(xml, mtime=0), "application/gzip")
                return _ok(xml, XML)
        return self.error(404, path)


_Route = Callable[[Site, str, str], Rendered]


def _moved(to: str) -> _Route:
    return lambda site, path, query: redirect(301, to)


def _short_link(site: Site, path: str, query: str) -> Rendered:
    return redirect(302, "/compare/" + path[3:])


#: Paths served as they are (`/compare/…` aside, which `Site.route` handles first).
_EXACT_ROUTES: dict[str, _Route] = {
    "/": Site._route_home,
    "/robots.txt": Site._route_robots,
    "/sitemap.xml": Site._route_sitemap,
    "/sitemap_index.xml": Site._route_sitemap,
    "/compare": _moved("/comparisons/"),
    "/comparisons": _moved("/comparisons/"),
    "/comparisons/": Site._route_index,
    "/tools": Site._route_tools,
    "/tools/": Site._route_tools,
    "/search": Site._route_search,
    **dict.fromkeys(("/about", "/methodology", "/privacy", "/terms"), Site._route_static),
}
#: Path prefixes, tried in order when no exact path matches (none is a prefix of another).
_PREFIX_ROUTES: tuple[tuple[str, _Route], ...] = (
    ("/sitemaps/", Site._route_sitemap),
    ("/comparisons/page/", Site._route_index),
    ("/tool/", Site._route_tool),
    ("/reviewer/", Site._route_reviewer),
    ("/r/", _short_link),
    ("/api/", Site._route_api),
    ("/_app/", Site._route_asset),
)
