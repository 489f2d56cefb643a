"""Finding the comparison pages: robots.txt Sitemap lines → sitemap index → urlsets.

Sitemaps may be gzipped (detected by the magic bytes, not the name or the headers) and
are decompressed under a size cap, so a decompression bomb fails instead of filling
memory; documents with a DOCTYPE are refused (no entity tricks). Only comparison URLs
on the target host are kept, with their <lastmod>.

With no sitemap at all, discovery falls back to links: the start page's comparison links
(and the URLs known from earlier runs) seed a bounded breadth-first crawl that follows
each fetched page's related-comparison links (:func:`extract_links`).
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree

from crawler._fetch import Fetcher, FetchResult
from crawler._robots import RobotsPolicy, robots_url
from crawler._scope import Scope, normalize_url

__all__ = [
    "Discovery",
    "SitemapEntry",
    "SitemapError",
    "discover",
    "extract_links",
    "fetch_robots",
    "maybe_gunzip",
    "parse_lastmod",
    "parse_sitemap",
]

#: A sitemap may be 50 MB uncompressed (sitemaps.org); anything bigger is refused.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
MAX_SITEMAPS = 1000
MAX_SITEMAP_DEPTH = 3
GZIP_MAGIC = b"\x1f\x8b"


class SitemapError(ValueError):
    """A sitemap that cannot be read; `reason` is the fetch row's reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> or <sitemap> entry: its location and <lastmod> (UTC, or None)."""

    loc: str
    lastmod: datetime | None = None


@dataclass
class Sitemap:
    """A parsed sitemap document: 'index' (of sitemaps) or 'urlset' (of pages)."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)


def maybe_gunzip(data: bytes, *, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """`data`, gunzipped when it starts with the gzip magic bytes (every member), refusing
    to produce more than `limit` bytes."""
    if not data.startswith(GZIP_MAGIC):
        if len(data) > limit:
            raise SitemapError("too_large", f"sitemap over {limit} bytes")
        return data
    out = bytearray()
    while data:
        z = zlib.decompressobj(wbits=31)
        chunk = data
        try:
            while chunk:
                out += z.decompress(chunk, limit - len(out) + 1)
                if len(out) > limit:
                    raise SitemapError("too_large", f"sitemap inflates past {limit} bytes")
                chunk = z.unconsumed_tail
            out += z.flush()
        except zlib.error as exc:
            raise SitemapError("bad_gzip", str(exc)) from exc
        if not z.eof:
            raise SitemapError("truncated_body", "gzip stream cut short")
        data = z.unused_data
        if data and not data.startswith(GZIP_MAGIC):
            break  # trailing garbage after the last member
    return bytes(out)


_W3C_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


def parse_lastmod(text: str | None) -> datetime | None:
    """A W3C datetime (<lastmod>) as an aware UTC datetime; a date alone is midnight UTC.

    Returns None for anything unreadable (treated like a missing lastmod).
    """
    if not text:
        return None
    value = text.strip()
    if _W3C_PARTIAL.match(value):
        value = (value + "-01-01")[:10] if len(value) == 4 else value + "-01"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse_sitemap(data: bytes) -> Sitemap:
    """Parse a sitemap index or urlset (already gunzipped). Raises SitemapError.

    Namespace-agnostic; streams with iterparse and clears elements as it goes.
    """
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise SitemapError("bad_sitemap", "DOCTYPE/ENTITY not allowed in a sitemap")
    sitemap: Sitemap | None = None
    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if sitemap is None:
                    if name == "sitemapindex":
                        sitemap = Sitemap("index")
                    elif name == "urlset":
                        sitemap = Sitemap("urlset")
                    else:
                        raise SitemapError("bad_sitemap", f"root element <{name}>")
                continue
            if name in ("url", "sitemap"):
                loc = lastmod = None
                for child in elem:
                    child_name = _local(child.tag)
                    if child_name == "loc":
                        loc = (child.text or "").strip()
                    elif child_name == "lastmod":
                        lastmod = child.text
                if loc and sitemap is not None:
                    sitemap.entries.append(SitemapEntry(loc, parse_lastmod(lastmod)))
                elem.clear()
    except ElementTree.ParseError as exc:
        raise SitemapError("bad_sitemap", str(exc)) from exc
    if sitemap is None:
        raise SitemapError("bad_sitemap", "empty document")
    return sitemap


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
    from parsers import is_comparison_url

    return lambda url: scope.in_scope(url) and bool(is_comparison_url(url))


@dataclass
class Discovery:
    """What discovery found.

    `mode` is 'sitemap' or 'links'. `pages` maps each in-scope comparison URL to its
    sitemap lastmod (None when unknown); `other` lists discovered URLs that are not
    (out of scope: other page types or hosts). `fetches` are the robots.txt, sitemap and
    start-page fetches, for the archive and the crawl_fetch table.
    """

    mode: str
    robots: RobotsPolicy
    pages: dict[str, datetime | None] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    sitemap_errors: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A short summary for logs."""
        return {"mode": self.mode, "pages": len(self.pages), "other": len(self.other),
                "fetches": len(self.fetches), "sitemap_errors": self.sitemap_errors}


async def fetch_robots(
    fetcher: Fetcher, base_url: str, *, cached_text: str | None = None
) -> tuple[RobotsPolicy, FetchResult]:
    """Fetch and apply robots.txt (a cached copy stands in for a 5xx/unreachable one)."""
    result = await fetcher.fetch(robots_url(base_url), kind="robots", accept_types=None)
    status: int | None = None  # None: unreachable (5xx, 429, network, redirect trouble)
    if result.outcome == "fetched":
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
    cached: Mapping[str, Mapping[str, Any]] | None = None,
    read_cached: Callable[[Mapping[str, Any]], bytes] | None = None,
) -> Discovery:
    """Read the sitemaps robots.txt names (else /sitemap.xml) and collect page URLs.

    `cached` maps a sitemap URL to the validators (etag, last_modified) of its last
    fetch; such sitemaps get a conditional GET, and on a 304 `read_cached(entry)` returns
    the body archived earlier. Falls back to mode 'links' with the start page's
    comparison links when no sitemap yields any page; the caller then follows links
    from fetched pages.
    """
    scope = fetcher.scope
    is_page = comparison_filter(scope)
    found = Discovery(mode="sitemap", robots=robots)
    declared = [absolute_url(base_url, s) for s in robots.sitemaps]
    queue: list[tuple[str, int]] = [(u, 0) for u in declared if u is not None]
    if not queue:
        queue = [(normalize_url(urljoin(base_url, "/sitemap.xml")), 0)]
    seen: set[str] = set()
    others: dict[str, None] = {}
    urlsets = 0
    while queue and len(seen) < max_sitemaps:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if not scope.in_scope(url):
            found.sitemap_errors.append((url, "out_of_scope"))
            continue
        entry = (cached or {}).get(url) if read_cached is not None else None
        result = await fetcher.fetch(
            url, kind="sitemap", accept_types=None,
            etag=entry.get("etag") if entry else None,
            last_modified=entry.get("last_modified") if entry else None,
        )
        found.fetches.append(result)
        if result.outcome == "not_modified" and entry is not None and read_cached is not None:
            result.etag = result.etag or entry.get("etag")
            result.last_modified = result.last_modified or entry.get("last_modified")
            try:
                result.body = read_cached(entry)
            except Exception:  # noqa: BLE001 - the archived copy is unreadable: refetch
                result = await fetcher.fetch(url, kind="sitemap", accept_types=None)
                found.fetches[-1] = result
        if result.outcome not in ("fetched", "not_modified") or result.body is None:
            found.sitemap_errors.append((url, result.reason or result.outcome))
            continue
        try:
            doc = parse_sitemap(maybe_gunzip(result.body))
        except SitemapError as exc:
            result.outcome, result.reason, result.body = "failed", exc.reason, None
            found.sitemap_errors.append((url, exc.reason))
            continue
        if doc.kind == "index":
            if depth + 1 > MAX_SITEMAP_DEPTH:
                found.sitemap_errors.append((url, "sitemap_too_deep"))
                continue
            children = (absolute_url(url, e.loc) for e in doc.entries)
            queue.extend((u, depth + 1) for u in children if u is not None)
            continue
        urlsets += 1
        for entry in doc.entries:
            loc = absolute_url(url, entry.loc)
            if loc is None:
                continue
            if is_page(loc):
                previous = found.pages.get(loc)
                newer = entry.lastmod and (not previous or entry.lastmod > previous)
                if loc not in found.pages or newer:
                    found.pages[loc] = entry.lastmod
            else:
                others.setdefault(loc, None)
    found.other = list(others)
    if urlsets == 0 and not found.pages:
        found.mode = "links"
        start = await fetcher.fetch(normalize_url(base_url), kind="start", accept_types=None)
        found.fetches.append(start)
        if start.outcome == "fetched" and start.body:
            for link in extract_links(start.body, start.final_url or base_url):
                if is_page(link):
                    found.pages.setdefault(link, None)
    return found


def in_scope_pages(links: Iterable[str], scope: Scope) -> list[str]:
    """The comparison pages on the target host among `links`."""
    is_page = comparison_filter(scope)
    return [u for u in links if is_page(u)]
