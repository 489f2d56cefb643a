"""A simulated night is one run, however often it is started: a start that dies after
the run was closed (before or after its publish) is resumed by the next start of the
night, which fetches no page again, publishes, and leaves one crawl_run row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from journal_crash import Crash
from replica_log import page_log

import flows.pipeline
from flows import settings
from flows.pipeline import crawl
from flows.writers import close_writers
from replica import Replica
from warehouse import connect
from warehouse.snapshot import snapshot_path

pytestmark = pytest.mark.timeout(180)

NIGHT = datetime(2025, 6, 2, 3, tzinfo=UTC)


def run_night(r: Replica, data: Path) -> dict[str, Any]:
    return crawl(r.base_url, data_dir=str(data), observed_at=NIGHT, rate=0, concurrency=2,
                 batch_size=10, parse_processes=0)


def page_requests(r: Replica) -> int:
    """Page requests the replica has logged, once it has logged them all."""
    return len(page_log(r))


def runs(path: Path) -> list[tuple[Any, ...]]:
    con = connect(path, read_only=True)
    try:
        return con.execute("SELECT run_id, status, starts, error FROM crawl_run").fetchall()
    finally:
        con.close()


def captures(path: Path) -> int:
    con = connect(path, read_only=True)
    try:
        (n,) = con.execute("SELECT count(*) FROM capture").fetchone()
        return int(n)
    finally:
        con.close()


def test_a_start_that_died_between_closing_the_run_and_publishing_is_resumed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    db = settings.db_path(data)

    def dies(*args: Any, **kwargs: Any) -> None:
        raise Crash("killed after the run was closed, before the publish")

    with Replica(day=0, scale=30, crawl_delay=None) as r:
        pages = len(r.catalog.paths())
        with monkeypatch.context() as m:
            m.setattr(flows.pipeline, "publish_snapshot", dies)
            with pytest.raises(Crash):
                run_night(r, data)
        close_writers()
        fetched = page_requests(r)
        assert fetched == pages
        assert not snapshot_path(db).exists()

        again = run_night(r, data)
        assert page_requests(r) == fetched  # nothing fetched twice
    assert again["status"] == "finished" and again["starts"] == 2
    ((run_id, status, starts, error),) = runs(db)
    assert (run_id, status, starts, error) == (again["run_id"], "finished", 2, None)
    assert captures(db) == pages
    assert captures(snapshot_path(db)) == pages  # published by the second start


def test_a_finished_night_started_again_is_the_same_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = settings.db_path(data)
    with Replica(day=0, scale=30, crawl_delay=None) as r:
        first = run_night(r, data)
        fetched = page_requests(r)
        again = run_night(r, data)  # as after a kill -9 that landed once the night was done
        assert page_requests(r) == fetched
    assert (again["run_id"], again["status"], again["starts"]) == (first["run_id"],
                                                                    "finished", 2)
    assert [(run_id, status) for run_id, status, _, _ in runs(db)] == [(first["run_id"],
                                                                         "finished")]
    assert captures(db) == first["counts"]["new_pages"]
