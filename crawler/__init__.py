"""The polite crawl engine: fetch, politeness, robots.txt, scope, sitemaps, discovery, plan.

It knows neither Prefect, nor DuckDB, nor WARC: it turns a site into fetch results, and
the flows decide what to keep.
"""

from crawler._config import LIVE_BASE_URL, LIVE_RATE_PER_SECOND, USER_AGENT
from crawler._discovery import Discovery, discover, extract_links, fetch_robots, in_scope_pages
from crawler._fetch import Exchange, FetchConfig, Fetcher, FetchResult, media_type
from crawler._plan import Plan, PlanItem, make_plan, recheck_due
from crawler._politeness import HostLimiter, request_interval
from crawler._robots import RobotsPolicy, robots_url
from crawler._scope import Scope, ScopeError, is_public_address, normalize_url

__all__ = [
    "LIVE_BASE_URL",
    "LIVE_RATE_PER_SECOND",
    "USER_AGENT",
    "Discovery",
    "Exchange",
    "FetchConfig",
    "FetchResult",
    "Fetcher",
    "HostLimiter",
    "Plan",
    "PlanItem",
    "RobotsPolicy",
    "Scope",
    "ScopeError",
    "discover",
    "extract_links",
    "fetch_robots",
    "in_scope_pages",
    "is_public_address",
    "make_plan",
    "media_type",
    "normalize_url",
    "recheck_due",
    "request_interval",
    "robots_url",
]
