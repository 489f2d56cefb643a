"""Recovery after a crash between the WARC write and the journal line, when the page's
earlier attempts (a 503 before the 200) are archived too: the LAST answer is the page's."""

from __future__ import annotations

import contextlib
import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import Journal
from flows import settings
from flows.health import RunFailed
from flows.pipeline import crawl
from flows.writers import close_writers
from replica import Replica
from warehouse import connect

FAST = {"backoff_base": 0.05, "backoff_max": 0.2, "max_attempts": 3}


class Crash(BaseException):
    """Stands for a kill between a page's WARC records and its journal line."""


# The simulated crash unwinds the event loop while anyio's connect_tcp has a connection
# attempt scheduled but not started; asyncio then closes that coroutine unawaited and
# Python warns. An artifact of raising through a live loop (a real kill -9 runs no
# Python at all), not of the crawl.
@pytest.mark.filterwarnings(
    "ignore:coroutine 'connect_tcp.<locals>.try_connect' was never awaited:RuntimeWarning")
def test_a_retried_page_is_recovered_from_its_last_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = Journal.append
    crashed: dict[str, str] = {}
    with Replica(day=0, scale=30, crawl_delay=None, faults="5xx", fault_rate=1.0) as r:
        healing = {r.url(p) for p, f in r.faulty_paths().items() if not f.permanent}
        assert healing, "the 5xx profile serves pages that answer after a retry"

        def append(self: Journal, row: Any) -> None:
            if row["kind"] == "page" and row["url"] in healing and not crashed:
                crashed["url"] = row["url"]
                raise Crash
            real_append(self, row)

        kw: dict[str, Any] = dict(
            data_dir=str(tmp_path), observed_at=datetime(2025, 6, 2, 3, tzinfo=UTC), rate=0,
            concurrency=1, batch_size=100, fetch_options=FAST, parse_processes=0,
        )
        monkeypatch.setattr(Journal, "append", append)
        with pytest.raises(Crash):
            crawl(r.base_url, **kw)
        close_writers()
        gc.collect()  # the torn loop's leftovers warn here, under this test's filters
        monkeypatch.setattr(Journal, "append", real_append)
        # the profile's permanently failing pages may fail the night; not our page
        with contextlib.suppress(RunFailed):
            crawl(r.base_url, **kw)
    con = connect(settings.db_path(tmp_path))
    try:
        rows = con.execute(
            "SELECT outcome, http_status, warc_record_type, capture_id FROM crawl_fetch "
            "WHERE url = ?", [crashed["url"]],
        ).fetchall()
        assert len(rows) == 1
        outcome, status, record_type, cid = rows[0]
        assert (outcome, status, record_type) == ("fetched", 200, "response")
        captured = con.execute("SELECT count(*) FROM capture WHERE capture_id = ?", [cid])
        assert captured.fetchall() == [(1,)]
    finally:
        con.close()
