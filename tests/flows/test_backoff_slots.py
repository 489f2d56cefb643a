"""A page the site fails does not hold up the others while it backs off (issue 10: a night
costs what changed, not what the site's faults make it wait).

A crawl holds one of `concurrency` page slots per page from its request until it is
journaled; a page waiting out a retry's backoff gives its slot up (crawler.PageSlots).
Before, with the soak's concurrency of 4, a night with ~55 pages answering 5xx spent ~70 s
fetching them four at a time, each waiting out its backoff, before the 480 healthy pages.

Real parts: the replica with its 5xx fault profile (which pages fail is its fault plan),
the crawl pipeline without Prefect, a real DuckDB file. The oracle is the replica's request
log: what the site was asked, in order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from replica_log import page_log

from flows import settings
from flows.pipeline import crawl
from replica import Replica
from warehouse import connect

pytestmark = pytest.mark.timeout(240)

#: backoff_base 0.5 s: a retry waits 0.25–0.5 s, long enough for other pages to start
OPTIONS = {"connect_timeout": 2.0, "read_timeout": 2.0, "attempt_timeout": 3.0,
           "deadline": 60.0, "backoff_base": 0.5, "backoff_max": 0.5, "max_attempts": 3,
           "retry_after_cap": 3.0}


def test_pages_backing_off_do_not_hold_the_only_slot(tmp_path: Path) -> None:
    with Replica(scale=40, faults="5xx", fault_rate=0.3, crawl_delay=None) as site:
        summary = crawl(site.base_url, data_dir=str(tmp_path), concurrency=1, rate=0,
                        batch_size=40, fetch_options=OPTIONS, parse_processes=0,
                        observed_at=datetime(2025, 6, 2, 3, tzinfo=UTC))
        log = [e.path for e in page_log(site)]

    positions: dict[str, list[int]] = defaultdict(list)
    for i, path in enumerate(log):
        positions[path].append(i)
    retried = {p: at for p, at in positions.items() if len(at) > 1}
    assert retried, "the fault plan failed no page: nothing was tested"
    # With one slot held through the backoff, a page's tries follow one another in the
    # log; given up meanwhile, other pages are requested between them.
    interleaved = [p for p, at in retried.items() if at[-1] - at[0] + 1 > len(at)]
    assert interleaved, f"every retried page kept the only slot: {retried}"

    # and every page still ends in one recorded outcome, retried ones included
    con = connect(settings.db_path(tmp_path))
    try:
        outcomes = dict(con.execute(
            "SELECT regexp_extract(url, '(/compare/.*)$', 1), outcome FROM crawl_fetch "
            "WHERE kind = 'page'").fetchall())
    finally:
        con.close()
    assert set(positions) <= set(outcomes)
    assert summary["counts"]["requests"] >= len(log)
