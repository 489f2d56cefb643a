"""Warehouse writes gathered over fetch batches (flows.batch_writes.WRITE_ROWS): fewer writes,
the same warehouse as writing every batch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import flows.batch_writes as batch_writes
from flows import settings
from flows.pipeline import crawl
from replica import Replica
from warehouse import connect

pytestmark = pytest.mark.timeout(180)

NIGHT = datetime(2025, 6, 2, 3, tzinfo=UTC)
PAGES = 40
BATCH = 8


def _night(r: Replica, data: Path, write_rows: int, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[int, dict[str, Any]]:
    """One crawl night; the number of capture loads it made and what it left."""
    loads: list[int] = []
    real = batch_writes.load_captures

    def load_captures(con: Any, records: Any, **kw: Any) -> Any:
        loads.append(len(records))
        return real(con, records, **kw)

    monkeypatch.setattr(batch_writes, "load_captures", load_captures)
    crawl(r.base_url, data_dir=str(data), observed_at=NIGHT, rate=0, concurrency=3,
          batch_size=BATCH, write_rows=write_rows, parse_processes=0)
    con = connect(settings.db_path(data))
    try:
        left = {
            "fetches": sorted(con.execute(
                "SELECT url, kind, outcome, reason, http_status, payload_digest, capture_id, "
                "change FROM crawl_fetch").fetchall()),
            "captures": sorted(con.execute(
                "SELECT capture_id, url, payload_digest FROM capture").fetchall()),
            "observations": con.execute(
                "SELECT count(*) FROM tool_observation").fetchone(),
            "states": sorted(con.execute(
                "SELECT url, last_outcome, payload_digest, capture_id "
                "FROM crawl_url_state").fetchall()),
        }
    finally:
        con.close()
    return len(loads), left


def test_writes_gather_over_batches_and_leave_the_same_warehouse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Replica(day=0, scale=PAGES, crawl_delay=None) as r:
        every_batch = _night(r, tmp_path / "every", 1, monkeypatch)
        gathered = _night(r, tmp_path / "gathered", 3 * BATCH, monkeypatch)
    batches = -(-PAGES // BATCH)
    assert every_batch[0] == batches
    assert gathered[0] == -(-batches // 3)  # a write per three batches, the rest at the end
    assert gathered[1] == every_batch[1]
    assert gathered[1]["captures"] and gathered[1]["fetches"]
