"""Finding the comparison pages: robots.txt Sitemap lines → sitemap index → urlsets.

Only comparison URLs on the target host are kept, with their <lastmod> (reading the
documents themselves is :mod:`crawler._sitemaps`'s job). With no sitemap at all,
discovery falls back to links: the start page's comparison links (and the URLs known from
earlier runs) seed a bounded breadth-first crawl that follows each fetched page's
related-comparison links (:func:`extract_links`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin

from crawler._fetch import Fetcher, FetchResult
from crawler._models import FetchKind, Outcome, Reason
from crawler._robots import RobotsPolicy, robots_url
from crawler._scope import Scope, normalize_url
from crawler._sitemaps import Sitemap, SitemapError, SitemapKind, maybe_gunzip, parse_sitemap
from parsers import is_comparison_url

__all__ = [
    "Discovery",
    "DiscoveryMode",
    "discover",
    "extract_links",
    "fetch_robots",
    "in_scope_pages",
]

MAX_SITEMAPS = 1000
MAX_SITEMAP_DEPTH = 3

#: The validators of a sitemap's last fetch (etag, last_modified), as the flows keep them.
CachedSitemap = Mapping[str, Any]


class DiscoveryMode(StrEnum):
    """How discovery found the pages."""

    SITEMAP = "sitemap"  # from the sitemaps, with their <lastmod>
    LINKS = "links"  # no sitemap: from the start page's links, then by following links


_HREF = re.compile(rb"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def absolute_url(base: str, ref: str) -> str | None:
    """`ref` resolved against `base` and normalized, or None when it is not a valid URL
    (e.g. 'http://[oops': a page or sitemap the site got wrong must not stop a crawl)."""
    try:
        return normalize_url(urljoin(base, ref))
    except ValueError:
        return None


def extract_links(html: bytes, page_url: str) -> list[str]:
    """Absolute URLs of every href in `html` (resolved against `page_url`), in page order,
    without duplicates or fragments."""
    seen: dict[str, None] = {}
    for match in _HREF.finditer(html):
        raw = match.group(1) or match.group(2) or match.group(3) or b""
        href = raw.decode("utf-8", "replace").strip().replace("&amp;", "&")
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = absolute_url(page_url, href)
        if absolute is not None and absolute.startswith(("http://", "https://")):
            seen.setdefault(absolute, None)
    return list(seen)


def comparison_filter(scope: Scope) -> Callable[[str], bool]:
    """A predicate: is this URL a comparison page on the target host?"""
    return lambda url: scope.in_scope(url) and bool(is_comparison_url(url))


@dataclass
class Discovery:
    """What discovery found.

    `mode` says how the pages were found. `pages` maps each in-scope comparison URL to its
    sitemap lastmod (None when unknown); `other` lists discovered URLs that are not
    (out of scope: other page types or hosts). `fetches` are the robots.txt, sitemap and
    start-page fetches, for the archive and the crawl_fetch table.
    """

    mode: DiscoveryMode
    robots: RobotsPolicy
    pages: dict[str, datetime | None] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    sitemap_errors: list[tuple[str, str]] = field(default_factory=list)


async def fetch_robots(
    fetcher: Fetcher, base_url: str, *, cached_text: str | None = None
) -> tuple[RobotsPolicy, FetchResult]:
    """Fetch and apply robots.txt (a cached copy stands in for a 5xx/unreachable one)."""
    result = await fetcher.fetch(robots_url(base_url), kind=FetchKind.ROBOTS,
                                accept_types=None)
    status: int | None = None  # None: unreachable (5xx, 429, network, redirect trouble)
    if result.outcome == Outcome.FETCHED:
        status = 200
    elif result.status is not None and 400 <= result.status < 500 and result.status != 429:
        status = result.status  # no robots.txt: everything allowed
    policy = RobotsPolicy.from_response(
        status, result.body or b"", fetcher.config.user_agent, cached_text=cached_text
    )
    fetcher.robots = policy
    return policy, result


async def discover(
    fetcher: Fetcher,
    base_url: str,
    *,
    robots: RobotsPolicy,
    max_sitemaps: int = MAX_SITEMAPS,
    cached: Mapping[str, CachedSitemap] | None = None,
    read_cached: Callable[[CachedSitemap], bytes] | None = None,
) -> Discovery:
    """Read the sitemaps robots.txt names (else /sitemap.xml) and collect page URLs.

    `cached` maps a sitemap URL to the validators (etag, last_modified) of its last
    fetch; such sitemaps get a conditional GET, and on a 304 `read_cached(entry)` returns
    the body archived earlier. Falls back to mode links with the start page's
    comparison links when no sitemap yields any page; the caller then follows links
    from fetched pages.
    """
    is_page = comparison_filter(fetcher.scope)
    found = Discovery(mode=DiscoveryMode.SITEMAP, robots=robots)
    others: dict[str, None] = {}
    urlsets = 0
    walk = _SitemapWalk(fetcher, found, cached, read_cached)
    async for url, doc in walk.urlsets(_first_sitemaps(base_url, robots), max_sitemaps):
        urlsets += 1
        _collect(url, doc, is_page, found.pages, others)
    found.other = list(others)
    if urlsets == 0 and not found.pages:
        await _start_page_links(fetcher, base_url, found, is_page)
    return found


def _first_sitemaps(base_url: str, robots: RobotsPolicy) -> list[tuple[str, int]]:
    """The sitemaps robots.txt names (else /sitemap.xml), each at depth 0."""
    declared = [absolute_url(base_url, s) for s in robots.sitemaps]
    queue = [(u, 0) for u in declared if u is not None]
    return queue or [(normalize_url(urljoin(base_url, "/sitemap.xml")), 0)]


@dataclass
class _SitemapWalk:
    """One walk through a site's sitemaps: fetches go to `found.fetches`, the sitemaps
    that cannot be read to `found.sitemap_errors`."""

    fetcher: Fetcher
    found: Discovery
    cached: Mapping[str, CachedSitemap] | None
    read_cached: Callable[[CachedSitemap], bytes] | None

    async def urlsets(self, queue: list[tuple[str, int]],
                      max_sitemaps: int) -> AsyncIterator[tuple[str, Sitemap]]:
        """Each urlset (with its URL), breadth first through the indexes in `queue`."""
        seen: set[str] = set()
        while queue and len(seen) < max_sitemaps:
            url, depth = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if not self.fetcher.scope.in_scope(url):
                self.found.sitemap_errors.append((url, Reason.OUT_OF_SCOPE))
                continue
            doc = await self._read(url)
            if doc is None:
                continue
            if doc.kind == SitemapKind.URLSET:
                yield url, doc
            elif depth + 1 > MAX_SITEMAP_DEPTH:
                self.found.sitemap_errors.append((url, Reason.SITEMAP_TOO_DEEP))
            else:
                children = (absolute_url(url, e.loc) for e in doc.entries)
                queue.extend((u, depth + 1) for u in children if u is not None)

    async def _read(self, url: str) -> Sitemap | None:
        """The parsed sitemap at `url`, or None (and an error noted) when unreadable."""
        result = await self._fetch(url)
        self.found.fetches.append(result)
        if result.outcome not in (Outcome.FETCHED, Outcome.NOT_MODIFIED) or result.body is None:
            self.found.sitemap_errors.append((url, result.reason or result.outcome))
            return None
        try:
            return parse_sitemap(maybe_gunzip(result.body))
        except SitemapError as exc:
            result.outcome, result.reason, result.body = Outcome.FAILED, exc.reason, None
            self.found.sitemap_errors.append((url, exc.reason))
            return None

    async def _fetch(self, url: str) -> FetchResult:
        """Fetch a sitemap, conditionally when it is cached; a 304 brings back the
        archived body (refetched in full when that copy cannot be read)."""
        entry = (self.cached or {}).get(url) if self.read_cached is not None else None
        result = await self.fetcher.fetch(
            url, kind=FetchKind.SITEMAP, accept_types=None,
            etag=entry.get("etag") if entry else None,
            last_modified=entry.get("last_modified") if entry else None,
        )
        if (result.outcome == Outcome.NOT_MODIFIED and entry is not None
                and self.read_cached is not None):
            result.etag = result.etag or entry.get("etag")
            result.last_modified = result.last_modified or entry.get("last_modified")
            try:
                result.body = self.read_cached(entry)
            except Exception:  # noqa: BLE001 - the archived copy is unreadable: refetch
                result = await self.fetcher.fetch(url, kind=FetchKind.SITEMAP, accept_types=None)
        return result


def _collect(url: str, doc: Sitemap, is_page: Callable[[str], bool],
             pages: dict[str, datetime | None], others: dict[str, None]) -> None:
    """Add a urlset's comparison pages to `pages` (the newest lastmod wins) and its other
    URLs to `others`."""
    for entry in doc.entries:
        loc = absolute_url(url, entry.loc)
        if loc is None:
            continue
        if is_page(loc):
            previous = pages.get(loc)
            newer = entry.lastmod and (not previous or entry.lastmod > previous)
            if loc not in pages or newer:
                pages[loc] = entry.lastmod
        else:
            others.setdefault(loc, None)


async def _start_page_links(fetcher: Fetcher, base_url: str, found: Discovery,
                            is_page: Callable[[str], bool]) -> None:
    """No sitemap yielded a page: switch to links mode, seeded by the start page's links."""
    found.mode = DiscoveryMode.LINKS
    start = await fetcher.fetch(normalize_url(base_url), kind=FetchKind.START, accept_types=None)
    found.fetches.append(start)
    if start.outcome == Outcome.FETCHED and start.body:
        for link in extract_links(start.body, start.final_url or base_url):
            if is_page(link):
                found.pages.setdefault(link, None)


def in_scope_pages(links: Iterable[str], scope: Scope) -> list[str]:
    """The comparison pages on the target host among `links`."""
    is_page = comparison_filter(scope)
    return [u for u in links if is_page(u)]
