"""A local, deterministic copy of shiporskip.io served over HTTP on loopback.

    from replica import Replica
    with Replica(day=3, faults="5xx,slow", slow_delay=1.0) as site:
        httpx.get(site.base_url + "/robots.txt")
        site.set_day(4)                  # tomorrow: a few pages changed, added, removed
        site.requests                    # the request log (RequestLogEntry), faults included

Options (all keyword): day (>= 0), faults ("5xx,429,…" or "all"; see `PROFILES`), seed,
scale (at least N comparison pages; default ~300 pages from ~100 tools), host, port (0 =
any free port), sitemaps (False: no sitemap, crawl by following links from /),
crawl_delay (robots.txt Crawl-delay, None for none; default 1), slow_delay (the `slow`
fault, default 5 s), fault_rate (share of comparison URLs with a fault), template_day
(the redesign day, default 9), oversized_bytes (default 20 MB), vote_counts (what the
Decision row's community counts `0% Ship (0 / 1)` are: "ship/all", the default, or
"ship/skip"; SITE.md cannot tell, so the parser must work it out from the percentage).

Served: `/` (latest comparisons), `/comparisons/` + `/comparisons/page/N` (every live
comparison), `/compare/<a>-vs-<b>` (slugs sorted; the reverse order 301s, a trailing slash
301s), `/tool/<slug>`, `/tools/`, `/reviewer/<persona>?category=…`, `/robots.txt`,
`/sitemap.xml` → `/sitemaps/compare-N.xml[.gz]` + `/sitemaps/tools.xml`; 404 and 410 pages.

The oracle: `site.catalog.comparison(path).expected(url)` is what a correct parser returns
for the page (the `Comparison.to_dict()` shape); `site.catalog.lastmod(path)`,
`.changed`/`.added`/`.removed` (today's events), `.gone` (path → 404/410),
`.seed_paths` (the five seed captures' URLs); `site.faulty_paths()` lists today's faulty URLs
and their `Fault` (profile, failures before healing or None = permanent). Faults are keyed on
(seed, path, attempt number); attempts count every request to a path (any method) since
start or `reset_attempts()`.

Past captures (issue 12, backfill): `build_collection` writes the replica's pages of past
days as a pywb collection (`ArchivedCapture` = the truth per memento), `LocalWayback` serves
it with real pywb (a subprocess of .venv-wayback, see replica/wayback.py for how its CDX API
differs from web.archive.org's), `CommonCrawlIndex` serves the same WARCs shaped like
index/data.commoncrawl.org, and `FaultProxy` puts 429s with Retry-After in front of either.
"""

from __future__ import annotations

from replica._loopback import free_port
from replica.captures import ArchivedCapture, CaptureKind, build_collection
from replica.catalog import BASE_DATE, Catalog, World, compare_path, day_date
from replica.commoncrawl import CommonCrawlIndex, weekly_crawls
from replica.faultproxy import FaultProxy, ProxyLogEntry
from replica.faults import PROFILES, Fault, parse_profiles
from replica.models import ComparisonPage, Review, Tool, ToolView
from replica.server import Replica, RequestLogEntry, start_replica
from replica.wayback import LocalWayback, pywb_bin

__all__ = [
    "BASE_DATE",
    "PROFILES",
    "ArchivedCapture",
    "CaptureKind",
    "Catalog",
    "CommonCrawlIndex",
    "ComparisonPage",
    "Fault",
    "FaultProxy",
    "LocalWayback",
    "ProxyLogEntry",
    "Replica",
    "RequestLogEntry",
    "Review",
    "Tool",
    "ToolView",
    "World",
    "build_collection",
    "compare_path",
    "day_date",
    "free_port",
    "parse_profiles",
    "pywb_bin",
    "start_replica",
    "weekly_crawls",
]
