"""Fetch batches sized by the crawl's pace (crawler.paced_batch_size): about a minute of
requests, 100 to 1,000 pages, unless --batch-size says otherwise. A batch ends with its
slowest page (one backing off from a 5xx takes seconds), so a fast crawl in batches of
100 spent most of a faulty night waiting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import MAX_BATCH, MIN_BATCH, Frontier, paced_batch_size
from flows.pipeline import crawl
from replica import Replica

pytestmark = pytest.mark.timeout(180)

NIGHT = datetime(2025, 6, 2, 3, tzinfo=UTC)


@pytest.mark.parametrize(("interval", "pages"), [
    (0.0, MAX_BATCH),  # unspaced: as many as a batch may hold
    (0.01, MAX_BATCH),  # 6,000 a minute: capped
    (0.1, 600),
    (0.25, 240),
    (1.0, MIN_BATCH),  # the live site's one request a second: 60 a minute, at least 100
    (30.0, MIN_BATCH),  # a long Crawl-delay
])
def test_a_batch_holds_about_a_minute_of_requests(interval: float, pages: int) -> None:
    assert paced_batch_size(interval) == pages


def _batch_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the size the pipeline asks of every batch it takes from the frontier."""
    asked: list[int] = []
    real = Frontier.next_batch

    def next_batch(self: Frontier, n: int) -> list:  # type: ignore[type-arg]
        asked.append(n)
        return real(self, n)

    monkeypatch.setattr(Frontier, "next_batch", next_batch)
    return asked


def test_the_crawl_paces_its_batches_by_rate_and_crawl_delay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _batch_sizes(monkeypatch)
    with Replica(day=0, scale=12, crawl_delay=0.25) as r:
        crawl(r.base_url, data_dir=str(tmp_path / "paced"), observed_at=NIGHT, rate=0,
              concurrency=2, parse_processes=0)
        assert set(asked) == {paced_batch_size(0.25)}  # robots.txt's delay sets the pace
        asked.clear()
        crawl(r.base_url, data_dir=str(tmp_path / "given"), observed_at=NIGHT, rate=0,
              concurrency=2, batch_size=5, parse_processes=0)
        assert set(asked) == {5}  # --batch-size wins
