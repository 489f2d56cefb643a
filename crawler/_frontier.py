"""The frontier: the pages still to fetch in a run, in batches, with followed links added.

The plan gives the initial pages; in links mode each fetched page's links join the queue.
A URL enters the frontier at most once per run (a resumed run's done URLs count as seen),
and the whole run stays within `limit` planned pages, so link-following cannot run away.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from crawler._models import FetchKind, FetchRow, Outcome, Reason, Why
from crawler._plan import PlanItem

__all__ = ["MAX_BATCH", "MIN_BATCH", "Frontier", "paced_batch_size"]

#: A batch (one fetch task) holds about BATCH_SECONDS of requests at the crawl's pace,
#: MIN_BATCH to MAX_BATCH pages: 100 at the live 1/s, 1,000 at full speed. A batch ends
#: with its slowest page, and one backing off from a 5xx takes seconds: 3,000 pages, 5%
#: failing, took 168 s in batches of 100 and 32 s in batches of 1,000 (the replica,
#: concurrency 4).
BATCH_SECONDS = 60.0
MIN_BATCH, MAX_BATCH = 100, 1000


def paced_batch_size(interval: float) -> int:
    """Pages per batch for requests `interval` seconds apart (0: unspaced)."""
    if interval <= 0:
        return MAX_BATCH
    return max(MIN_BATCH, min(MAX_BATCH, round(BATCH_SECONDS / interval)))


class Frontier:
    """The queue of pages still to fetch in one run.

    `items`: the plan's pages, in order; `seen`: URLs that already have a row in this run
    (they are never queued again); `limit`: the most pages the run may plan, the initial
    items included (None: no limit); `allowed`: robots.txt (None: everything allowed).
    """

    def __init__(
        self,
        items: Iterable[PlanItem],
        *,
        seen: Iterable[str],
        limit: int | None,
        allowed: Callable[[str], bool] | None,
    ) -> None:
        self._queue: deque[PlanItem] = deque(items)
        self._seen: set[str] = set(seen) | {item.url for item in self._queue}
        self._limit = limit
        self._allowed = allowed
        self.total: int = len(self._queue)  # pages planned so far, for progress

    def __bool__(self) -> bool:
        """True while any page is left to fetch."""
        return bool(self._queue)

    def next_batch(self, size: int) -> list[PlanItem]:
        """Take up to `size` pages off the front of the queue."""
        batch: list[PlanItem] = []
        while self._queue and len(batch) < size:
            batch.append(self._queue.popleft())
        return batch

    def add_links(self, links: Iterable[str], *, run_id: str) -> list[FetchRow]:
        """Queue the links not seen yet, while the limit allows.

        A link robots.txt refuses is not queued: its `disallowed` row is returned for the
        caller to record. A link past the limit is left unseen (it is simply not planned).
        """
        rows: list[FetchRow] = []
        for link in links:
            if link in self._seen or (self._limit is not None and self.total >= self._limit):
                continue
            self._seen.add(link)
            if self._allowed is not None and not self._allowed(link):
                rows.append(FetchRow(run_id=run_id, url=link, kind=FetchKind.PAGE,
                                     outcome=Outcome.DISALLOWED, reason=Reason.ROBOTS,
                                     in_sitemap=True))
                continue
            self._queue.append(PlanItem(url=link, why=Why.LINK))
            self.total += 1
        return rows
