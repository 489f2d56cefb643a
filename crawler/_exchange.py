"""What the fetcher is told and what it hands back: FetchConfig, Exchange,
FailedRequest, FetchResult.

Plain data, apart from the fetcher's logic, so callers (the flows, tests, benchmarks) can
read the shapes without the HTTP machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from crawler._config import LIVE_RATE_PER_SECOND, USER_AGENT
from crawler._models import FetchKind, Outcome
from crawler._politeness import request_interval
from parsers import MAX_PAGE_BYTES

__all__ = ["Exchange", "FailedRequest", "FetchConfig", "FetchResult"]


@dataclass(frozen=True)
class FetchConfig:
    """How politely and how patiently to fetch. Defaults suit the live site."""

    user_agent: str = USER_AGENT
    rate: float | None = LIVE_RATE_PER_SECOND  # requests/s to the host; None/0 = unlimited
    concurrency: int = 2  # requests in flight to the host
    obey_robots: bool = True
    crawl_delay_cap: float = 60.0  # longest Crawl-delay honoured (s)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two reads of a response
    attempt_timeout: float = 60.0  # one request, body included
    deadline: float = 300.0  # one URL, from its first request: attempts, backoff, hops
    max_body_bytes: int = MAX_PAGE_BYTES  # on the wire and decoded
    max_redirects: int = 5
    max_attempts: int = 4  # tries of one request (1 + retries)
    backoff_base: float = 1.0  # first retry waits ~this long, then doubling
    backoff_max: float = 60.0
    retry_after_cap: float = 120.0  # a longer Retry-After ends the URL's tries for this run
    breaker_threshold: int = 5  # requests in a row without a response that end the run's
    #                             requests to the host (crawler._breaker); 0 = never
    http2: bool = True

    def interval(self, crawl_delay: float | None) -> float:
        """Seconds between request starts, given robots.txt's Crawl-delay."""
        delay = crawl_delay if self.obey_robots else None
        return request_interval(self.rate, delay, crawl_delay_cap=self.crawl_delay_cap)


@dataclass
class Exchange:
    """One completed HTTP request/response pair, as it went over the wire.

    `body` is the entity body as received: Content-Encoding kept, transfer coding
    removed — what a WARC response record holds.
    """

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    body: bytes
    date: datetime  # when the request was sent
    method: str = "GET"

    def header(self, name: str) -> str | None:
        """The first response header called `name` (case-insensitive)."""
        name = name.lower()
        for key, value in self.response_headers:
            if key.lower() == name:
                return value
        return None


@dataclass
class FailedRequest:
    """A request that got no usable response: what was sent, when, and why it failed.

    `status` is set when the response headers came but the body did not (reset, cut
    short, too large); None when no response came at all (refused, timed out, reset).
    """

    url: str
    request_headers: list[tuple[str, str]]
    date: datetime  # when the request was sent
    reason: str
    detail: str = ""
    status: int | None = None
    method: str = "GET"


@dataclass
class FetchResult:
    """The outcome of fetching one URL (see crawl_fetch in warehouse/sql/020_crawl.sql).

    `outcome` is fetched, not_modified, gone, failed, disallowed or out_of_scope;
    `reason` (a :class:`~crawler._models.Reason` or `http_<status>`) says why for the last
    three. `body` is the decoded final body (None unless a complete final response came);
    `exchanges` are the completed exchange of each hop (redirects, then the final
    response) in order; `trail` is every request sent, in order: its exchange (retried
    5xx/429 answers included) or the :class:`FailedRequest` it ended as.
    """

    url: str
    kind: FetchKind
    outcome: Outcome
    reason: str | None = None
    status: int | None = None
    final_url: str | None = None
    attempts: int = 0
    requests: int = 0
    bytes_received: int = 0
    elapsed_ms: float = 0.0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    conditional: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body: bytes | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    trail: list[Exchange | FailedRequest] = field(default_factory=list)
    _first_sent: float | None = field(default=None, repr=False)  # monotonic, first request

    @property
    def final(self) -> Exchange | None:
        """The final exchange (the response the outcome is about), if one completed."""
        return self.exchanges[-1] if self.exchanges else None
