"""The polite fetcher: one URL in, one recorded outcome out, every exchange kept.

Built on ``httpx.AsyncClient(http2=True)`` with redirects handled here, so that every
hop is checked before it is requested:

* robots.txt (:mod:`crawler._robots`) — a Disallowed URL is never requested;
* scope and SSRF (:mod:`crawler._scope`) — only the target host (and its www. twin), never
  a private/loopback/link-local/reserved address unless the target itself is one; the
  connection goes to the very addresses checked (:mod:`crawler._pinning`);
* per-host rate and concurrency (:mod:`crawler._politeness`), Crawl-delay included, and a
  circuit breaker per host (:mod:`crawler._breaker`): a host that stops answering is left
  alone for the rest of the run;
* retries of timeouts, connection errors, truncated bodies, 429 and 5xx, with exponential
  backoff and jitter, honouring Retry-After (capped);
* connect/read timeouts, a per-attempt deadline and a per-URL deadline;
* a body size cap enforced while streaming, on the wire and after decompression;
* conditional GETs from stored validators (If-None-Match / If-Modified-Since).

The fetcher knows nothing of WARCs: a :class:`FetchResult` carries every request it sent,
in order (its :class:`Exchange`, raw bytes as received, or the :class:`FailedRequest` it
ended as: retried attempts included), for the caller to archive before anything parses
them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin

import httpx

from crawler._attempt import Response, Sender, host_down, origin
from crawler._breaker import HostBreaker
from crawler._decode import AttemptFailure
from crawler._exchange import Exchange, FailedRequest, FetchConfig, FetchResult
from crawler._models import FetchKind, Outcome, Reason, http_reason
from crawler._pinning import Pins, new_client
from crawler._politeness import HostLimiter, SlotAbandoned
from crawler._retry import backoff_delay, parse_retry_after
from crawler._robots import RobotsPolicy
from crawler._scope import Scope, ScopeError, normalize_url
from parsers import media_type

__all__ = ["PAGE_TYPES", "Exchange", "FailedRequest", "FetchConfig", "FetchResult", "Fetcher"]

#: Content types a comparison page may come as.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Fetcher:
    """Fetch URLs of one site politely. Use as ``async with Fetcher(...) as f:``.

    `robots` may be set (or replaced) after construction, e.g. once robots.txt has been
    fetched with this same fetcher; `not_before` continues an earlier batch's spacing;
    `breaker` continues an earlier batch's circuit breaker (default: a new one).
    """

    def __init__(
        self,
        base_url: str,
        config: FetchConfig | None = None,
        *,
        robots: RobotsPolicy | None = None,
        not_before: float = 0.0,
        transport: httpx.AsyncBaseTransport | None = None,
        breaker: HostBreaker | None = None,
    ) -> None:
        self.config = config or FetchConfig()
        self.breaker = breaker if breaker is not None else HostBreaker(
            threshold=self.config.breaker_threshold)
        self.pins = Pins()  # the addresses the scope check approved, per host:port
        self._sender = Sender(self.config.attempt_timeout, self.config.max_body_bytes,
                              self.breaker)
        self.scope = Scope(base_url)
        self.base_url = base_url
        self._robots: RobotsPolicy | None = None
        self.limiter = HostLimiter(
            interval=self.config.interval(None),
            concurrency=self.config.concurrency,
            not_before=not_before,
        )
        self.robots = robots
        self._transport = transport
        self._clients: list[httpx.AsyncClient] = []
        self._free: list[httpx.AsyncClient] = []

    # -- lifecycle ---------------------------------------------------------------------
    def _new_client(self, connections: int) -> httpx.AsyncClient:
        cfg = self.config
        return new_client(user_agent=cfg.user_agent, http2=cfg.http2,
                          connect_timeout=cfg.connect_timeout, read_timeout=cfg.read_timeout,
                          connections=connections, pins=self.pins, transport=self._transport)

    async def __aenter__(self) -> Fetcher:
        # One client with one connection per concurrency slot: httpcore's shared pool
        # scans every connection on every request, which halves throughput at 16
        # connections. (A transport handed in, e.g. by a test, is shared by one client.)
        n = self.config.concurrency
        if self._transport is not None:
            self._clients = [self._new_client(n)] * n
        else:
            self._clients = [self._new_client(1) for _ in range(n)]
        self._free = list(self._clients)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in dict.fromkeys(self._clients):  # each once
            await client.aclose()
        self._clients, self._free = [], []

    @property
    def robots(self) -> RobotsPolicy | None:
        """The robots.txt policy in force (None: not known yet, everything allowed)."""
        return self._robots

    @robots.setter
    def robots(self, policy: RobotsPolicy | None) -> None:
        self._robots = policy
        delay = policy.crawl_delay if policy is not None else None
        self.limiter.interval = self.config.interval(delay)

    def allowed_by_robots(self, url: str) -> bool:
        """May `url` be fetched under robots.txt (always True with obey_robots off)?"""
        if not self.config.obey_robots or self._robots is None:
            return True
        return self._robots.allowed(url)

    # -- fetching ----------------------------------------------------------------------
    async def fetch(
        self,
        url: str,
        *,
        kind: FetchKind = FetchKind.PAGE,
        etag: str | None = None,
        last_modified: str | None = None,
        accept_types: frozenset[str] | None = PAGE_TYPES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> FetchResult:
        """Fetch `url` (following in-scope redirects) and return its outcome.

        `accept_types`: media types a 200 may have (others fail bad_content_type);
        None accepts any. Robots rules are not applied to kind robots. Never raises for
        anything the site or the network does. With the host's breaker open, a URL not
        requested at all ends skipped (host_down). `sleep` waits out a retry's backoff,
        e.g. :meth:`crawler.PageSlot.sleep`, which gives the page's slot up meanwhile.
        """
        url = normalize_url(url)
        conditional = bool(etag or last_modified)
        result = FetchResult(url=url, kind=kind, outcome=Outcome.FAILED, conditional=conditional,
                             final_url=url)
        try:
            await self._fetch_chain(result, etag, last_modified, accept_types, sleep)
        except AttemptFailure as exc:
            result.outcome, result.reason = Outcome.FAILED, exc.reason
            if exc.reason == Reason.HOST_DOWN and result.requests == 0:
                result.outcome = Outcome.SKIPPED
        finally:
            if result._first_sent is not None:
                result.elapsed_ms = (time.monotonic() - result._first_sent) * 1000.0
        return result

    async def _fetch_chain(
        self,
        result: FetchResult,
        etag: str | None,
        last_modified: str | None,
        accept_types: frozenset[str] | None,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        cfg = self.config
        try:
            self.scope.check_static(result.url, redirect=False)
        except ScopeError as exc:
            result.outcome, result.reason = Outcome.OUT_OF_SCOPE, exc.reason
            return
        if result.kind != FetchKind.ROBOTS and not self.allowed_by_robots(result.url):
            result.outcome, result.reason = Outcome.DISALLOWED, Reason.ROBOTS
            return
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, seen = result.url, {result.url}
        for hop in range(cfg.max_redirects + 1):
            if hop and result.kind != FetchKind.ROBOTS and not self.allowed_by_robots(current):
                result.outcome, result.reason = Outcome.DISALLOWED, Reason.ROBOTS_REDIRECT
                return
            if not await self._checked(result, current, hop):
                return
            response = await self._request(result, current, headers, sleep)
            ex = response.exchange
            result.exchanges.append(ex)
            result.final_url, result.status = current, ex.status
            location = ex.header("location")
            if ex.status in _REDIRECTS and location:
                try:
                    target = normalize_url(urljoin(current, location.strip()))
                except ValueError:  # e.g. 'http://[bad' (Invalid IPv6 URL)
                    result.outcome, result.reason = Outcome.FAILED, Reason.BAD_REDIRECT
                    return
                if target in seen:
                    result.outcome, result.reason = Outcome.FAILED, Reason.REDIRECT_LOOP
                    return
                seen.add(target)
                current = target
                continue
            self._settle(result, response, accept_types)
            return
        result.outcome, result.reason = Outcome.FAILED, Reason.REDIRECT_LOOP  # too many hops

    async def _checked(self, result: FetchResult, url: str, hop: int) -> bool:
        """Check `url`'s scope and addresses and pin them for its connection; False (the
        outcome set) when it must not be requested. Raises AttemptFailure for a DNS
        failure or a host given up on."""
        host, port = origin(url)
        if self.breaker.is_open(host):
            raise host_down(host)
        try:
            addresses = await self.scope.check(url, redirect=hop > 0)
        except ScopeError as exc:
            result.outcome = Outcome.FAILED if hop else Outcome.OUT_OF_SCOPE
            result.reason = exc.reason
            return False
        except OSError as exc:  # DNS failure
            self.breaker.failure(host, url)
            raise AttemptFailure(Reason.DNS_ERROR, retry=False, detail=str(exc)) from exc
        self.pins.set(host, port, addresses)
        return True

    def _settle(
        self, result: FetchResult, response: Response, accept_types: frozenset[str] | None
    ) -> None:
        ex = response.exchange
        status = ex.status
        result.content_type = media_type(ex.header("content-type"))
        result.etag = ex.header("etag")
        result.last_modified = ex.header("last-modified")
        if status == 200:
            if accept_types is not None and result.content_type not in (None, *accept_types):
                result.outcome, result.reason = Outcome.FAILED, Reason.BAD_CONTENT_TYPE
                return
            result.outcome, result.body = Outcome.FETCHED, response.decoded
        elif status == 304:
            if result.conditional:
                result.outcome = Outcome.NOT_MODIFIED
            else:
                result.outcome, result.reason = Outcome.FAILED, Reason.UNEXPECTED_304
        elif status in (404, 410):
            result.outcome = Outcome.GONE
        elif status == 429:
            result.outcome, result.reason = Outcome.FAILED, Reason.HTTP_429
        elif status >= 500:
            result.outcome, result.reason = Outcome.FAILED, Reason.HTTP_5XX
        elif status in _REDIRECTS:
            result.outcome, result.reason = Outcome.FAILED, Reason.BAD_REDIRECT  # no Location
        else:
            result.outcome, result.reason = Outcome.FAILED, http_reason(status)

    async def _request(
        self, result: FetchResult, url: str, headers: dict[str, str],
        sleep: Callable[[float], Awaitable[None]],
    ) -> Response:
        """One hop, with retries. Returns the last response (maybe a 5xx after all
        retries) or raises AttemptFailure when no response came. When the host is given
        up on between two tries, the hop ends with what the last try gave."""
        cfg = self.config
        result.attempts = 0
        last: Response | AttemptFailure | None = None
        for attempt in range(1, cfg.max_attempts + 1):
            result.attempts = attempt
            wait: float | None = None
            try:
                response = await self._send(url, headers, result)
            except AttemptFailure as exc:
                if exc.reason == Reason.HOST_DOWN:
                    result.attempts = attempt - 1
                    if isinstance(last, Response):
                        return last
                    if last is None:
                        raise
                    raise last from None  # the last try's failure is the hop's
                if not exc.retry or attempt == cfg.max_attempts:
                    raise
                last = exc
            else:
                status = response.exchange.status
                if status != 429 and status < 500:
                    return response
                last = response
                retry_after = parse_retry_after(response.exchange.header("retry-after"))
                if retry_after is not None:
                    self.limiter.defer(min(retry_after, cfg.retry_after_cap))
                    if retry_after > cfg.retry_after_cap:
                        return response  # come back next run
                    wait = retry_after
                if attempt == cfg.max_attempts:
                    return response
            if wait is None:
                wait = self._backoff(attempt)
            # the deadline runs from the URL's first request: waiting for a politeness
            # slot in a long queue does not use it up
            first = result._first_sent if result._first_sent is not None else time.monotonic()
            if time.monotonic() - first + wait > cfg.deadline:
                if isinstance(last, AttemptFailure):
                    raise last
                return response
            await sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random."""
        return backoff_delay(attempt, base=self.config.backoff_base,
                             ceiling=self.config.backoff_max)

    async def _send(self, url: str, headers: dict[str, str], result: FetchResult) -> Response:
        """Send one request inside a politeness slot and read its body under the caps;
        nothing is sent (HOST_DOWN) once the host's breaker is open, even while waiting."""
        assert self._clients, "use `async with Fetcher(...)`"
        host, _ = origin(url)
        if self.breaker.is_open(host):
            raise host_down(host)
        try:
            async with self.limiter.slot(give_up=lambda: self.breaker.is_open(host)):
                client = self._free.pop()  # the slot guarantees a free one
                try:
                    return await self._sender.send_once(client, url, headers, result)
                finally:
                    self._free.append(client)
        except SlotAbandoned:
            raise host_down(host) from None
