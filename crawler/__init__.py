"""The polite crawl engine: fetch, politeness, robots.txt, scope, sitemaps, discovery, plan.

It knows neither Prefect, nor DuckDB, nor WARC: it turns a site into fetch results, and
the flows decide what to keep.
"""

from crawler._breaker import HostBreaker
from crawler._config import LIVE_BASE_URL, LIVE_RATE_PER_SECOND, USER_AGENT
from crawler._discovery import Discovery, discover, extract_links, fetch_robots, in_scope_pages
from crawler._fetch import Exchange, FailedRequest, FetchConfig, Fetcher, FetchResult
from crawler._frontier import MAX_BATCH, MIN_BATCH, Frontier, paced_batch_size
from crawler._models import (
    FETCH_COLUMNS,
    Change,
    FetchKind,
    FetchRow,
    Outcome,
    Reason,
    Why,
    http_reason,
)
from crawler._plan import Plan, PlanItem, Recheck, UrlHistory, make_plan, recheck_due
from crawler._politeness import HostLimiter, PageSlot, PageSlots, request_interval
from crawler._robots import RobotsPolicy, robots_url
from crawler._scope import (
    Scope,
    ScopeError,
    is_public_address,
    normalize_url,
    unsafe_options_problem,
)
from crawler._sync import run_async

__all__ = [
    "Change",
    "Discovery",
    "Exchange",
    "FETCH_COLUMNS",
    "FailedRequest",
    "FetchConfig",
    "FetchKind",
    "FetchResult",
    "FetchRow",
    "Fetcher",
    "Frontier",
    "HostBreaker",
    "HostLimiter",
    "LIVE_BASE_URL",
    "LIVE_RATE_PER_SECOND",
    "MAX_BATCH",
    "MIN_BATCH",
    "Outcome",
    "PageSlot",
    "PageSlots",
    "Plan",
    "PlanItem",
    "Reason",
    "Recheck",
    "RobotsPolicy",
    "Scope",
    "ScopeError",
    "USER_AGENT",
    "UrlHistory",
    "Why",
    "discover",
    "extract_links",
    "fetch_robots",
    "http_reason",
    "in_scope_pages",
    "is_public_address",
    "make_plan",
    "normalize_url",
    "paced_batch_size",
    "recheck_due",
    "request_interval",
    "robots_url",
    "run_async",
    "unsafe_options_problem",
]
