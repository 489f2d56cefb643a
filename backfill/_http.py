"""A polite HTTP client for web archives: one GET in, the raw answer out.

Why a thin client on httpx rather than a CDX library such as cdx_toolkit: cdx_toolkit
brings `requests` (a second HTTP stack beside the crawler's httpx) and paces requests its
own way, per process, out of our hands. Web archives throttle hard (web.archive.org
blocks a client that ignores its 429s), so the backfill shares the crawler's own pieces
instead: :class:`crawler.HostLimiter` (a minimum spacing of starts per host, pushed back
by Retry-After for the whole host) and :mod:`crawler._retry` (Retry-After parsing,
exponential backoff with jitter). The CDX queries themselves are a few URL parameters
(:mod:`backfill._cdx`). We also need the bytes exactly as received (Content-Encoding
kept) to check them against the CDX digest and archive them, which httpx's raw stream
gives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from backfill._models import Reason
from crawler import USER_AGENT, HostLimiter
from crawler._retry import backoff_delay, parse_retry_after

__all__ = ["DEFAULT_RATE", "ArchiveClient", "FetchFailed", "Politeness", "Reply"]

#: Requests per second per archive host by default: web.archive.org throttles hard.
DEFAULT_RATE = 0.5
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Politeness:
    """How politely and how patiently to ask an archive."""

    rate: float = DEFAULT_RATE  # requests per second per host (> 0)
    max_attempts: int = 4  # tries of one request (1 + retries)
    backoff_base: float = 2.0  # first retry after ~this many seconds, then doubling
    backoff_max: float = 120.0
    retry_after_cap: float = 600.0  # a longer Retry-After gives the request up
    connect_timeout: float = 15.0
    read_timeout: float = 60.0
    max_body_bytes: int = 64 << 20  # a CDX listing may be large; pages are far smaller
    max_redirects: int = 5
    user_agent: str = USER_AGENT

    @property
    def interval(self) -> float:
        """Seconds between two request starts to one host."""
        return 1.0 / self.rate


@dataclass(frozen=True)
class Reply:
    """One answer as received: status, headers and the body with its encoding kept."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), else None."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


class FetchFailed(Exception):
    """A request that got no usable answer, with the reason and a one-line detail."""

    def __init__(self, reason: Reason, detail: str, status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status


class ArchiveClient:
    """GET from web archives politely. Use as ``async with ArchiveClient(p) as c:``.

    Each host gets its own :class:`crawler.HostLimiter` (one request in flight, starts
    spaced by ``1/rate``); a 429 or 5xx pushes that host's next start back by its
    Retry-After (else by an exponential backoff with jitter), so no request reaches the
    host before the time it asked for. `not_before` carries each host's next allowed
    start from an earlier batch (see :meth:`next_starts`).
    """

    def __init__(self, politeness: Politeness | None = None, *,
                 not_before: dict[str, float] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.politeness = politeness or Politeness()
        self._not_before = dict(not_before or {})
        self._limiters: dict[str, HostLimiter] = {}
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self.requests = 0

    async def __aenter__(self) -> ArchiveClient:
        p = self.politeness
        self._client = httpx.AsyncClient(
            headers={"User-Agent": p.user_agent}, transport=self._transport,
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            follow_redirects=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    def next_starts(self) -> dict[str, float]:
        """Each host's next allowed start (wall clock), to hand to the next batch."""
        starts = dict(self._not_before)
        starts.update({host: lim.next_start for host, lim in self._limiters.items()})
        return starts

    def _limiter(self, host: str) -> HostLimiter:
        limiter = self._limiters.get(host)
        if limiter is None:
            limiter = HostLimiter(interval=self.politeness.interval, concurrency=1,
                                  not_before=self._not_before.get(host, 0.0))
            self._limiters[host] = limiter
        return limiter

    async def get(self, url: str, *, headers: dict[str, str] | None = None,
                  ok: frozenset[int] = frozenset({200})) -> Reply:
        """GET `url`, following redirects within its host; the final reply when its
        status is in `ok`, else :class:`FetchFailed` (after retrying 429 and 5xx)."""
        host = urlsplit(url).netloc
        current = url
        for _ in range(self.politeness.max_redirects + 1):
            reply = await self._get_retrying(current, headers or {})
            location = reply.header("location")
            if reply.status in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                if urlsplit(target).netloc != host:
                    raise FetchFailed(Reason.BAD_REDIRECT, f"redirect off {host}: {target}",
                                      reply.status)
                current = target
                continue
            if reply.status not in ok:
                raise FetchFailed(Reason.HTTP_ERROR, f"HTTP {reply.status} from {current}",
                                  reply.status)
            return reply
        raise FetchFailed(Reason.BAD_REDIRECT, f"more than {self.politeness.max_redirects} "
                                               f"redirects from {url}")

    async def _get_retrying(self, url: str, headers: dict[str, str]) -> Reply:
        """One GET, tried again after a 429, a 5xx or a network error (the host's next
        start pushed back by Retry-After or the backoff)."""
        p = self.politeness
        limiter = self._limiter(urlsplit(url).netloc)
        last: FetchFailed | None = None
        for attempt in range(1, p.max_attempts + 1):
            try:
                async with limiter.slot():
                    reply = await self._send(url, headers)
            except httpx.TransportError as exc:
                last = FetchFailed(Reason.CONNECTION_ERROR,
                                   f"{type(exc).__name__}: {exc} ({url})".strip())
                limiter.defer(backoff_delay(attempt, base=p.backoff_base, ceiling=p.backoff_max))
                continue
            if reply.status not in _RETRY_STATUSES:
                return reply
            wait = parse_retry_after(reply.header("retry-after"))
            if wait is not None and wait > p.retry_after_cap:
                raise FetchFailed(Reason.RETRY_AFTER_TOO_LONG,
                                  f"HTTP {reply.status} with Retry-After {wait:.0f} s from {url}",
                                  reply.status)
            if wait is None:
                wait = backoff_delay(attempt, base=p.backoff_base, ceiling=p.backoff_max)
            limiter.defer(wait)
            last = FetchFailed(Reason.RETRIES_EXHAUSTED,
                               f"HTTP {reply.status} on {p.max_attempts} attempts ({url})",
                               reply.status)
        assert last is not None
        if last.reason == Reason.CONNECTION_ERROR:
            raise last
        raise FetchFailed(Reason.RETRIES_EXHAUSTED, last.detail, last.status)

    async def _send(self, url: str, headers: dict[str, str]) -> Reply:
        """Send one GET and read its body raw (Content-Encoding kept), under the cap."""
        assert self._client is not None, "use ArchiveClient as an async context manager"
        self.requests += 1
        cap = self.politeness.max_body_bytes
        started = time.time()
        async with self._client.stream("GET", url, headers=headers) as resp:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_raw():
                size += len(chunk)
                if size > cap:
                    raise FetchFailed(Reason.BODY_TOO_LARGE, f"body over {cap:,} bytes ({url})")
                chunks.append(chunk)
            return Reply(
                url=url, status=resp.status_code, reason=resp.reason_phrase,
                headers=[(k.decode("latin-1"), v.decode("latin-1"))
                         for k, v in resp.headers.raw],
                body=b"".join(chunks),
                request_headers=[(k.decode("latin-1"), v.decode("latin-1"))
                                 for k, v in resp.request.headers.raw],
                received_at=datetime.fromtimestamp(started, UTC),
            )

