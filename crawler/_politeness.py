"""Per-host politeness: at most N requests in flight, starts spaced by an interval.

The interval is ``max(1 / rate, Crawl-delay)``: robots.txt's delay wins over a faster
configured rate. A 429/503 with Retry-After pushes the next start of the whole host back.
Times are wall-clock (``time.time()``), so the next allowed start can be handed from one
batch task to the next, even across worker processes on the same machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

__all__ = ["HostLimiter", "SlotAbandoned", "request_interval"]


class SlotAbandoned(Exception):
    """A slot was given up while waiting for it (see :meth:`HostLimiter.slot`)."""


def request_interval(
    rate: float | None, crawl_delay: float | None = None, *, crawl_delay_cap: float = 60.0
) -> float:
    """Seconds between request starts: ``max(1/rate, min(crawl_delay, cap))``.

    `rate` None or 0 means no rate limit (benchmarks on loopback); a Crawl-delay longer
    than `crawl_delay_cap` is capped so one odd robots.txt cannot stall a night.
    """
    interval = 1.0 / rate if rate else 0.0
    if crawl_delay:
        interval = max(interval, min(float(crawl_delay), crawl_delay_cap))
    return interval


class HostLimiter:
    """Politeness for one host: a concurrency cap and a minimum spacing of starts.

    Use ``async with limiter.slot(): <send request and read its body>``. A slot is held
    for the whole exchange, so `concurrency` bounds requests in flight; starts are
    spaced by `interval` seconds whatever the concurrency.
    """

    def __init__(self, *, interval: float, concurrency: int, not_before: float = 0.0) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._interval = max(0.0, interval)
        self.concurrency = concurrency
        self._next = not_before
        self._last_start: float | None = None
        self._sem = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0

    @property
    def interval(self) -> float:
        """Seconds between two request starts."""
        return self._interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        """Change the spacing (e.g. once robots.txt's Crawl-delay is known); a longer one
        also applies to the gap after the request that started last."""
        self._interval = max(0.0, seconds)
        if self._last_start is not None:
            self._next = max(self._next, self._last_start + self._interval + self.margin)

    @property
    def margin(self) -> float:
        """Extra spacing (10% of the interval, at most 50 ms) so that the server never sees
        two starts closer than the interval, whatever the jitter on the way."""
        return min(0.1 * self.interval, 0.05)

    @property
    def next_start(self) -> float:
        """Wall-clock time before which no request may start (hand it to the next batch)."""
        return self._next

    def defer(self, seconds: float) -> None:
        """Let no request start for `seconds` from now (Retry-After)."""
        self._next = max(self._next, time.time() + max(0.0, seconds))

    @asynccontextmanager
    async def slot(self, give_up: Callable[[], bool] | None = None) -> AsyncIterator[None]:
        """Wait for a free slot and the host's next start time, then hold the slot.

        `give_up` is asked whenever the wait ends: when it says True, the slot is not
        taken (the spacing is not used up) and :class:`SlotAbandoned` is raised, so a
        queue of requests to a host given up on drains at once.
        """
        async with self._sem:
            async with self._lock:
                while True:
                    if give_up is not None and give_up():
                        raise SlotAbandoned
                    wait = self._next - time.time()
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                self._last_start = time.time()
                self._next = self._last_start + self._interval + self.margin
            self.in_flight += 1
            self.requests += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1
