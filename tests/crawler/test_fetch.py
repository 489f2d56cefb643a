"""The polite fetcher against the replica over real sockets: politeness from the server's
request log, retries, scope/SSRF refusals, size caps, conditional GETs."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import httpx
import pytest
from fake_http import Streamed
from replica_log import settle

from crawler._config import USER_AGENT
from crawler._decode import AttemptFailure, BodyDecoder
from crawler._discovery import fetch_robots
from crawler._fetch import Exchange, FailedRequest, FetchConfig, Fetcher, FetchResult
from crawler._politeness import HostLimiter, request_interval
from crawler._retry import parse_retry_after
from crawler._robots import RobotsPolicy, user_agent_token
from crawler._scope import Scope, ScopeError, is_public_address, normalize_url
from replica import Replica

pytestmark = pytest.mark.timeout(120)

T = TypeVar("T")

#: Short timeouts and backoff so fault tests finish in seconds.
FAST = FetchConfig(rate=None, concurrency=4, connect_timeout=1.0, read_timeout=1.0,
                   attempt_timeout=1.5, deadline=20.0, backoff_base=0.05, backoff_max=0.2,
                   retry_after_cap=3.0, max_body_bytes=512 * 1024)


class RecordingTransport(httpx.AsyncHTTPTransport):
    """An ordinary transport that remembers every URL it was asked to request."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return await super().handle_async_request(request)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def fetch_all(base_url: str, urls: list[str], config: FetchConfig, *,
                    robots: bool = True, transport: httpx.AsyncBaseTransport | None = None,
                    **kw: object) -> list[FetchResult]:
    async with Fetcher(base_url, config, transport=transport) as f:
        if robots:
            await fetch_robots(f, base_url)
        return list(await asyncio.gather(*(f.fetch(u, **kw) for u in urls)))


def max_overlap(entries: list) -> int:
    """Most requests in flight at once, from the server's started/finished times."""
    events = sorted([(e.started, 1) for e in entries] + [(e.finished, -1) for e in entries],
                    key=lambda x: (x[0], x[1]))
    best = cur = 0
    for _, delta in events:
        cur += delta
        best = max(best, cur)
    return best


def assert_spaced(starts: list[float], interval: float) -> None:
    """Starts spaced by `interval`, as the server saw them: any k gaps span at least k - 1
    intervals. The replica runs in this process, so a stamp waits for the GIL (and, on a
    busy machine, for the CPU): one taken late shortens the gap after it by as much, which
    a per-gap bound would take for a burst (it flaked in CI at 33 ms of 50). A stamp late by
    less than an interval passes; starts let through two at a time fail on any three gaps.
    """
    for i, a in enumerate(starts):
        for j in range(i + 1, len(starts)):
            assert starts[j] - a >= (j - i - 1) * interval, (i, j, starts[j] - a)


@pytest.fixture(scope="module")
def site() -> Iterator[Replica]:
    with Replica(day=0, scale=30, crawl_delay=None) as r:
        yield r


# -- politeness -------------------------------------------------------------------------


def test_rate_concurrency_and_user_agent_from_the_server_log(site: Replica) -> None:
    urls = [site.url(p) for p in site.catalog.paths()[:16]]
    site.clear_log()
    cfg = replace(FAST, rate=20.0, concurrency=2)
    results = run(fetch_all(site.base_url, urls, cfg))
    assert all(r.outcome == "fetched" for r in results)
    log = sorted(settle(site), key=lambda e: e.started)
    assert len(log) == 17  # robots.txt + 16 pages
    assert_spaced([e.started for e in log], 1 / 20)
    assert max_overlap(log) <= 2
    assert {e.headers["user-agent"] for e in log} == {USER_AGENT}
    assert "VerdictArchive" in USER_AGENT and "http" in USER_AGENT  # names us, with a contact


def test_crawl_delay_wins_over_a_faster_rate() -> None:
    with Replica(day=0, scale=10, crawl_delay=0.3) as r:
        urls = [r.url(p) for p in r.catalog.paths()[:4]]
        cfg = replace(FAST, rate=50.0, concurrency=2)
        results = run(fetch_all(r.base_url, urls, cfg))
        assert all(x.outcome == "fetched" for x in results)
        log = sorted(settle(r), key=lambda e: e.started)
        # robots.txt came first, before the delay was known: the gap after it counts too
        # (the rate alone would give 0.02 s)
        assert log[0].path == "/robots.txt" and len(log) == 5
        assert_spaced([e.started for e in log], 0.3)


def test_concurrency_cap_holds_under_load(site: Replica) -> None:
    urls = [site.url(p) for p in site.catalog.paths()[:30]]
    site.clear_log()
    results = run(fetch_all(site.base_url, urls, replace(FAST, rate=None, concurrency=3)))
    assert all(r.outcome == "fetched" for r in results)
    assert max_overlap(settle(site)) <= 3


def test_disallowed_urls_are_never_requested(site: Replica) -> None:
    page = site.catalog.paths()[0]
    site.clear_log()
    results = run(fetch_all(site.base_url, [site.url(page + "?utm=x"), site.url("/api/x"),
                                            site.url("/search?q=a")], FAST))
    assert [(r.outcome, r.reason) for r in results] == [("disallowed", "robots")] * 3
    assert [e.path for e in settle(site)] == ["/robots.txt"]
    # a user agent the site shuts out entirely: only robots.txt is ever requested
    site.clear_log()
    gpt = replace(FAST, user_agent="GPTBot/1.0")
    results = run(fetch_all(site.base_url, [site.url(page)], gpt))
    assert results[0].outcome == "disallowed"
    assert [e.path for e in settle(site)] == ["/robots.txt"]


def test_robots_policy_rules() -> None:
    text = "User-agent: *\nDisallow: /private\nCrawl-delay: 2\nSitemap: https://x.io/s.xml\n"
    p = RobotsPolicy.from_text(text, USER_AGENT)
    assert not p.allowed("https://x.io/private/a") and p.allowed("https://x.io/compare/a-vs-b")
    assert p.crawl_delay == 2.0 and p.sitemaps == ["https://x.io/s.xml"]
    assert user_agent_token(USER_AGENT) == "VerdictArchive"
    # RFC 9309: 4xx → allow all; 5xx/unreachable → disallow all unless a cached copy exists
    assert RobotsPolicy.from_response(404, b"", USER_AGENT).allowed("https://x.io/a")
    assert not RobotsPolicy.from_response(503, b"", USER_AGENT).allowed("https://x.io/a")
    cached = RobotsPolicy.from_response(None, b"", USER_AGENT, cached_text=text)
    assert cached.source == "cached" and not cached.allowed("https://x.io/private")
    import pickle

    assert pickle.loads(pickle.dumps(p)).allowed("https://x.io/ok")


def test_interval_and_limiter() -> None:
    assert request_interval(1.0) == 1.0
    assert request_interval(20.0, 0.5) == 0.5  # Crawl-delay wins
    assert request_interval(20.0, 3600, crawl_delay_cap=60) == 60
    assert request_interval(None) == 0.0

    async def go() -> list[float]:
        import time

        lim = HostLimiter(interval=0.05, concurrency=2)
        starts: list[float] = []

        async def one() -> None:
            async with lim.slot():
                starts.append(time.time())
                await asyncio.sleep(0.01)

        await asyncio.gather(*(one() for _ in range(6)))
        assert lim.max_in_flight <= 2
        return starts

    starts = run(go())
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.05 - 1e-3


# -- retries -----------------------------------------------------------------------------


def test_5xx_and_429_are_retried_with_backoff_and_retry_after() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="5xx,429", fault_rate=1.0) as r:
        faulty = dict(list(r.faulty_paths().items())[:12])
        assert {f.profile for f in faulty.values()} == {"5xx", "429"}
        assert any(f.permanent for f in faulty.values())
        urls = [r.url(p) for p in faulty]
        results = run(fetch_all(r.base_url, urls, replace(FAST, max_attempts=4)))
        by_url = {x.url: x for x in results}
        for path, fault in faulty.items():
            res = by_url[r.url(path)]
            if fault.permanent:
                assert (res.outcome, res.reason, res.attempts) == ("failed", "http_5xx", 4)
            else:
                assert res.outcome == "fetched", (path, fault, res)
                assert res.attempts == fault.failures + 1
        # Retry-After: 1 was honoured: the retry came at least 1 s after the 429/503
        for path, fault in faulty.items():
            if fault.retry_after:
                hits = sorted(e.started for e in settle(r) if e.path == path)
                assert hits[1] - hits[0] >= 0.99


def test_retry_after_parsing() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_timeouts_resets_and_truncated_bodies() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="slow,reset,truncated",
                 fault_rate=1.0, slow_delay=2.5) as r:
        faulty = dict(list(r.faulty_paths().items())[:12])
        assert {f.profile for f in faulty.values()} == {"slow", "reset", "truncated"}
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST))
        expected = {"slow": "timeout", "reset": "connection_reset", "truncated": "truncated_body"}
        for res in results:
            fault = faulty[res.url.removeprefix(r.base_url)]
            if fault.permanent:
                assert (res.outcome, res.reason) == ("failed", expected[fault.profile]), res
                assert res.attempts == FAST.max_attempts
            else:
                assert res.outcome == "fetched" and res.attempts == fault.failures + 1, res


def test_every_request_is_in_the_trail_as_its_exchange_or_failure() -> None:
    """Retried 5xx answers and attempts cut short are kept, in order (for the archive)."""
    with Replica(day=0, scale=40, crawl_delay=None, faults="5xx,reset,truncated",
                 fault_rate=1.0) as r:
        faulty = dict(list(r.faulty_paths().items())[:15])
        assert {f.profile for f in faulty.values()} == {"5xx", "reset", "truncated"}
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST, robots=False))
        log = settle(r)
        for res in results:
            path = res.url.removeprefix(r.base_url)
            fault = faulty[path]
            assert len(res.trail) == res.requests == sum(1 for e in log if e.path == path)
            *earlier, last = res.trail
            if fault.profile == "5xx":  # every answer an exchange: the failing ones first
                assert all(isinstance(t, Exchange) for t in res.trail)
                assert [t.status for t in earlier] == [fault.status] * len(earlier)
                assert last is res.final
            else:  # headers came, then the body broke off: the failure and the status
                failed = [t for t in res.trail if isinstance(t, FailedRequest)]
                assert failed == res.trail[:len(failed)] and len(failed) == (
                    res.requests if fault.permanent else fault.failures)
                assert {(t.status, t.reason) for t in failed} == {
                    (200, "connection_reset" if fault.profile == "reset" else "truncated_body")}
            assert [t.date for t in res.trail] == sorted(t.date for t in res.trail)


# -- scope, SSRF, redirects, caps -----------------------------------------------------------


def test_offsite_and_private_redirects_are_never_followed() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="redirect-offsite,redirect-private",
                 fault_rate=1.0) as r:
        faulty = r.faulty_paths()
        transport = RecordingTransport()
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST,
                                transport=transport))
        for res in results:
            fault = faulty[res.url.removeprefix(r.base_url)]
            want = "redirect_offsite" if fault.profile == "redirect-offsite" else "redirect_private"
            assert (res.outcome, res.reason, res.requests) == ("failed", want, 1), res
            assert res.exchanges[-1].status in (301, 302)  # the refused hop is kept for the WARC
        # not one request left for another host or a private address
        assert all(u.startswith(r.base_url) for u in transport.urls), transport.urls
        assert sorted(e.path for e in settle(r) if e.path != "/robots.txt") == sorted(faulty)


def test_redirect_loop_and_in_scope_redirects() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="redirect-loop", fault_rate=1.0) as r:
        faulty = r.faulty_paths()
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST))
        assert {(x.outcome, x.reason) for x in results} == {("failed", "redirect_loop")}
        assert all(x.requests <= FAST.max_redirects + 1 for x in results)
        # an ordinary in-scope redirect (trailing slash) is followed
        page = next(p for p in r.catalog.paths() if p not in faulty)
        (res,) = run(fetch_all(r.base_url, [r.url(page + "/")], FAST))
        assert res.outcome == "fetched" and res.final_url == r.url(page)
        assert [e.status for e in res.exchanges] == [301, 200]


def test_oversized_bodies_are_aborted_while_streaming() -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="oversized", fault_rate=1.0,
                 oversized_bytes=3 * 1024 * 1024) as r:
        faulty = r.faulty_paths()
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST))
        for res in results:
            assert (res.outcome, res.reason, res.attempts) == ("failed", "too_large", 1)
            assert res.bytes_received <= FAST.max_body_bytes + 65536


def test_decompression_bomb_is_refused() -> None:
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))
    dec = BodyDecoder("gzip", 1024 * 1024)
    with pytest.raises(AttemptFailure) as info:
        dec.feed(bomb)
    assert info.value.reason == "too_large"
    ok = BodyDecoder("gzip", 1024)
    ok.feed(gzip.compress(b"hello"))
    assert ok.finish() == b"hello"
    cut = BodyDecoder("deflate", 1024)
    cut.feed(zlib.compress(b"hello world" * 10)[:-6])
    with pytest.raises(AttemptFailure):
        cut.finish()


def test_bad_content_type_is_a_failure(site: Replica) -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="content-type", fault_rate=1.0) as r:
        faulty = r.faulty_paths()
        results = run(fetch_all(r.base_url, [r.url(p) for p in faulty], FAST))
        assert {(x.outcome, x.reason) for x in results} == {("failed", "bad_content_type")}


def test_scope_rules_and_private_addresses() -> None:
    live = Scope("https://shiporskip.io")
    assert live.in_scope("https://www.shiporskip.io/compare/a-vs-b")
    assert live.in_scope("http://shiporskip.io/compare/a-vs-b")
    assert not live.in_scope("https://evil.io/compare/a-vs-b")
    assert not live.in_scope("https://shiporskip.io.evil.io/")
    assert not live.in_scope("ftp://shiporskip.io/")
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/compare/a-vs-b",
                "http://127.0.0.1:8000/", "http://localhost/", "http://[::1]/",
                "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/"):
        with pytest.raises(ScopeError) as info:
            live.check_static(url, redirect=True)
        assert info.value.reason == "redirect_private", url
    with pytest.raises(ScopeError) as info:
        live.check_static("https://example.invalid/x", redirect=True)
    assert info.value.reason == "redirect_offsite"

    # a name in scope that resolves to a private address (DNS rebinding) is refused
    async def private_dns(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    live._resolve = private_dns  # type: ignore[method-assign]
    with pytest.raises(ScopeError) as info:
        run(live.check("https://www.shiporskip.io/compare/a-vs-b", redirect=True))
    assert info.value.reason == "redirect_private"

    # a loopback target: only its exact host:port
    local = Scope("http://127.0.0.1:8765")
    assert local.target_is_private and local.in_scope("http://127.0.0.1:8765/compare/a-vs-b")
    run(local.check("http://127.0.0.1:8765/compare/a-vs-b"))
    for url in ("http://127.0.0.1:8766/", "http://localhost:8765/", "http://10.0.0.1:8765/"):
        with pytest.raises(ScopeError):
            run(local.check(url, redirect=True))
    assert is_public_address("93.184.216.34") and not is_public_address("192.168.1.1")
    assert normalize_url("HTTP://Example.COM:80/a#frag") == "http://example.com/a"


# -- conditional GETs -----------------------------------------------------------------------


def test_conditional_get_gets_304_and_keeps_validators(site: Replica) -> None:
    page = site.url(site.catalog.paths()[3])
    (first,) = run(fetch_all(site.base_url, [page], FAST))
    assert first.outcome == "fetched" and first.etag and first.last_modified
    site.clear_log()
    (again,) = run(fetch_all(site.base_url, [page], FAST, robots=False, etag=first.etag,
                             last_modified=first.last_modified))
    assert (again.outcome, again.status, again.conditional) == ("not_modified", 304, True)
    (entry,) = settle(site)
    assert entry.headers["if-none-match"] == first.etag
    assert entry.headers["if-modified-since"] == first.last_modified
    assert entry.bytes_sent == 0
    # the page is gzip on the wire; the body handed on is decoded
    assert first.exchanges[-1].header("content-encoding") == "gzip"
    assert first.body is not None and first.body.lstrip().startswith(b"<")


def test_malformed_location_and_retry_after_are_outcomes_not_exceptions() -> None:
    base = "http://127.0.0.1:9"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/compare/bad-vs-redirect":
            return httpx.Response(301, headers={"location": "http://[oops/compare/a-vs-b"})
        # '²'.isdigit() is True, but it is no number of seconds
        return httpx.Response(429, headers=[(b"retry-after", b"\xb2")])

    urls = [f"{base}/compare/bad-vs-redirect", f"{base}/compare/busy-vs-page"]
    results = run(fetch_all(base, urls, replace(FAST, max_attempts=2), robots=False,
                            transport=Streamed(handler)))
    assert [(r.outcome, r.reason) for r in results] == [
        ("failed", "bad_redirect"), ("failed", "http_429")]
    assert results[0].exchanges[-1].status == 301  # the hop is kept for the WARC
    assert parse_retry_after("²") is None
