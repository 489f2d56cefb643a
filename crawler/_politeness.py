"""Per-host politeness: at most N requests in flight, starts spaced by an interval; and
at most N pages in progress, not counting those waiting out a retry (:class:`PageSlots`).

The interval is ``max(1 / rate, Crawl-delay)``: robots.txt's delay wins over a faster
configured rate. A 429/503 with Retry-After pushes the next start of the whole host back.
Times are wall-clock (``time.time()``), so the next allowed start can be handed from one
batch task to the next, even across worker processes on the same machine.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

__all__ = ["HostLimiter", "PageSlot", "PageSlots", "SlotAbandoned", "request_interval"]


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


class PageSlots:
    """At most `n` pages in progress at once (fetching, or fetched and not yet handed on),
    not counting pages waiting out a retry's backoff.

    A page holds a slot from its first request until the caller is done with it
    (``async with slots.page() as slot:``); while it waits before a retry
    (``await slot.sleep(seconds)``, the fetcher's backoff) it gives the slot up, so a page
    the site keeps failing does not stall the pages behind it, and on waking it goes before
    pages not yet started, so its retries are not pushed back behind the whole queue.
    """

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self._free = n
        self._returning: deque[asyncio.Future[None]] = deque()
        self._new: deque[asyncio.Future[None]] = deque()

    @property
    def held(self) -> int:
        """Slots held now."""
        return self.n - self._free

    @asynccontextmanager
    async def page(self) -> AsyncIterator[PageSlot]:
        """Hold a slot for one page (waiting for one first)."""
        await self._acquire(returning=False)
        slot = PageSlot(self)
        try:
            yield slot
        finally:
            if slot.held:
                slot.held = False
                self._release()

    async def _acquire(self, *, returning: bool) -> None:
        if self._free and not self._returning and (returning or not self._new):
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._returning if returning else self._new
        queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # handed a slot, then cancelled: pass it on
                self._release()
            elif fut in queue:
                queue.remove(fut)
            raise

    def _release(self) -> None:
        """Hand the slot to the first waiter (pages back from a backoff first), else free it."""
        for queue in (self._returning, self._new):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    fut.set_result(None)
                    return
        self._free += 1


class PageSlot:
    """One page's hold on a :class:`PageSlots` slot."""

    def __init__(self, slots: PageSlots) -> None:
        self._slots = slots
        self.held = True

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` without the slot, then take one back (before new pages)."""
        if self.held:
            self.held = False
            self._slots._release()
        await asyncio.sleep(seconds)
        await self._slots._acquire(returning=True)
        self.held = True
