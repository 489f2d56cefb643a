"""Spread rechecks against the replica (the default mode of a nightly crawl): over K quiet
nights, each night sends a conditional GET to the pages of its own slot only — about 1/K
of the site, each answered 304 — and every page is verified once in the K nights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replica_log import page_log

from crawler._plan import night_number, recheck_slot
from flows.pipeline import crawl
from replica import Replica

pytestmark = pytest.mark.timeout(240)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "max_attempts": 3}
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
K = 4


def test_spread_rechecks_share_the_site_over_k_nights(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=60, crawl_delay=None) as r:
        paths = set(r.catalog.paths())

        def night(n: int) -> dict:
            r.clear_log()
            return crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=n),
                         rate=80.0, concurrency=4, batch_size=20, fetch_options=FAST,
                         recheck_days=K, parse_processes=0)

        assert night(0)["counts"]["new_pages"] == len(paths)
        verified: list[str] = []
        for n in range(1, K + 1):  # the site stands still (day 0 served every night)
            summary = night(n)
            log = page_log(r)
            slot = night_number(NIGHT0 + timedelta(days=n)) % K
            mine = {p for p in paths if recheck_slot(r.base_url + p, K) == slot}
            assert {e.path for e in log} == mine  # its own slot, nothing else
            assert all(e.status == 304 for e in log)  # conditional, unchanged
            assert summary["counts"]["not_modified"] == len(mine)
            assert summary["counts"]["skipped"] == len(paths) - len(mine)
            assert len(mine) < len(paths) / 2  # no night rechecks the whole site
            verified += [e.path for e in log]
        assert sorted(verified) == sorted(paths)  # each page once in the K nights
