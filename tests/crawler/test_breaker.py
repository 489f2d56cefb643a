"""The circuit breaker per host: a host that gives no response is given up on for the run,
over real loopback sockets (a closed port, a server that resets every connection, the
replica stopped), and one that answers, even with errors, is not."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from replica_log import settle

from crawler import FailedRequest, FetchConfig, Fetcher, FetchResult, HostBreaker
from replica import Replica

pytestmark = pytest.mark.timeout(120)

FAST = FetchConfig(rate=None, concurrency=2, connect_timeout=1.0, read_timeout=1.0,
                   attempt_timeout=1.5, deadline=20.0, backoff_base=0.05, backoff_max=0.2,
                   obey_robots=False)
#: At most this many requests go out after the breaker's threshold: those already in
#: flight (concurrency) when it opens.
SLACK = FAST.concurrency


class Resetter:
    """Accepts every connection and resets it at once (SO_LINGER 0): counts them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    def close(self) -> None:
        self.sock.close()
        self._thread.join(timeout=2)


@pytest.fixture
def resetter() -> Iterator[Resetter]:
    server = Resetter()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch_all(base: str, paths: list[str], config: FetchConfig = FAST,
              breaker: HostBreaker | None = None) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(base, config, breaker=breaker) as f:
            return list(await asyncio.gather(*(f.fetch(base + p) for p in paths)))
    return asyncio.run(go())


PATHS = [f"/compare/tool-{i}-vs-tool-{i + 1}" for i in range(60)]


def test_breaker_rules() -> None:
    b = HostBreaker(threshold=5, min_urls=3)
    for _ in range(4):
        assert not b.failure("h", "u1")
    assert not b.failure("h", "u2")  # 5 failures, but only two URLs: one bad page, no more
    assert not b.is_open("h")
    b.success("h")  # an answer starts the count again
    for i in range(4):
        assert not b.failure("h", f"v{i % 2}")
    assert b.failure("h", "v2") and b.is_open("h")  # 5 in a row over 3 URLs
    assert not b.is_open("other") and b.open_hosts() == ["h"]
    b.success("h")
    assert b.is_open("h")  # open for the rest of the run
    never = HostBreaker(threshold=0)
    assert not any(never.failure("h", f"u{i}") for i in range(50)) and not never.is_open("h")
    low = HostBreaker(threshold=2, min_urls=3)
    low.failure("h", "u")
    assert not low.failure("h", "u")
    assert low.failure("h", "v")  # a threshold below min_urls needs that many URLs only


def check_given_up(results: list[FetchResult], sent: int) -> None:
    """`sent` requests in all: a few over the threshold at most; every URL not requested
    is skipped host_down, the others failed with their own transport error."""
    threshold = FAST.breaker_threshold
    assert sum(r.requests for r in results) == sent
    assert threshold <= sent <= threshold + SLACK, sent
    tried = [r for r in results if r.requests]
    skipped = [r for r in results if not r.requests]
    assert len(skipped) >= len(PATHS) - sent
    assert {(r.outcome, r.reason) for r in skipped} == {("skipped", "host_down")}
    assert all(r.outcome == "failed" and r.reason in ("connection_error", "connection_reset")
               for r in tried), tried
    assert all(not r.trail and not r.exchanges for r in skipped)
    for r in tried:  # every request sent is in the trail, as the failure it ended as
        assert len(r.trail) == r.requests
        assert all(isinstance(t, FailedRequest) and t.reason == r.reason for t in r.trail)


def test_connection_refused_stops_after_the_threshold() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    results = fetch_all(base, PATHS)
    check_given_up(results, sum(r.requests for r in results))


def test_resets_before_any_response_stop_after_the_threshold(resetter: Resetter) -> None:
    base = f"http://127.0.0.1:{resetter.port}"
    results = fetch_all(base, PATHS)
    check_given_up(results, resetter.accepted)  # the server's own count


def test_without_the_breaker_every_url_is_tried_max_attempts_times(resetter: Resetter) -> None:
    """What the breaker saves: the same dead host, breaker off (threshold 0)."""
    base = f"http://127.0.0.1:{resetter.port}"
    results = fetch_all(base, PATHS[:20], replace(FAST, breaker_threshold=0))
    assert resetter.accepted == 20 * FAST.max_attempts
    assert {r.outcome for r in results} == {"failed"}
    assert {r.reason for r in results} <= {"connection_reset", "connection_error"}


def test_a_shared_breaker_carries_from_batch_to_batch() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    breaker = HostBreaker(threshold=FAST.breaker_threshold)
    first = fetch_all(base, PATHS[:30], breaker=breaker)
    second = fetch_all(base, PATHS[30:], breaker=breaker)
    assert sum(r.requests for r in first) <= FAST.breaker_threshold + SLACK
    assert sum(r.requests for r in second) == 0
    assert {(r.outcome, r.reason) for r in second} == {("skipped", "host_down")}


def test_a_host_that_answers_with_errors_is_not_given_up_on() -> None:
    """5xx and 429 answers (retried, every one) are answers: the breaker stays shut."""
    with Replica(day=0, scale=40, crawl_delay=None, faults="5xx,429", fault_rate=1.0) as r:
        paths = list(r.faulty_paths())[:20]
        cfg = replace(FAST, retry_after_cap=3.0, concurrency=4)
        results = fetch_all(r.base_url, paths, cfg)
        assert not any(x.reason == "host_down" for x in results)
        assert sum(x.requests for x in results) == len(settle(r))


def test_the_replica_stopped_mid_crawl() -> None:
    """The host goes away after some pages: the rest are skipped, not hammered."""
    with Replica(day=0, scale=60, crawl_delay=None) as r:
        paths = r.catalog.paths()[:60]
        cfg = replace(FAST, concurrency=1)

        async def go() -> list[FetchResult]:
            out: list[FetchResult] = []
            async with Fetcher(r.base_url, cfg) as f:
                for i, path in enumerate(paths):
                    if i == 10:
                        r.stop()
                    out.append(await f.fetch(r.url(path)))
            return out

        results = asyncio.run(go())
        assert [x.outcome for x in results[:10]] == ["fetched"] * 10
        rest = results[10:]
        sent = sum(x.requests for x in rest)
        # one URL at a time: each tried max_attempts times until the third URL's first
        # failure opens the breaker (min_urls: one bad page and its retries are no outage)
        assert sent == (HostBreaker().min_urls - 1) * cfg.max_attempts + 1
        given_up: Any = [(x.outcome, x.reason) for x in rest if not x.requests]
        assert len(given_up) >= len(rest) - sent
        assert set(given_up) == {("skipped", "host_down")}
