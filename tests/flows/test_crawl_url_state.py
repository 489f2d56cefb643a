"""Nights against the replica with crawl_url_state (issue 10, a night costs what changed):
a quiet night writes no crawl_fetch row per page yet its summary still counts the pages
left alone, and across nights with new, changed and removed pages, 304 rechecks and a
crashed-and-resumed night, the state the next night plans from says, night after night,
what the old views over every row (skipped-unchanged ones included) said."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from journal_crash import Crash, journal_crashes_once
from url_state_reference import assert_same_as_reference, create_ref_table, ref_record

from crawler import Recheck
from flows import settings
from flows.pipeline import crawl
from flows.writers import close_writers
from replica import Replica
from warehouse import connect
from warehouse import crawl_state as state

pytestmark = pytest.mark.timeout(240)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3,
        "max_body_bytes": 512 * 1024}
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)


def run_crawl(r: Replica, data: Path, n: int) -> dict[str, Any]:
    return crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=n),
                 rate=80.0, concurrency=4, batch_size=10, fetch_options=FAST,
                 recheck_days=5, recheck=Recheck.COHORT, parse_processes=0)


@pytest.fixture
def shadowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every row the crawl records also goes, the old way, into the table ref_fetch."""
    real = state.record_fetches

    def record(con: Any, rows: Any) -> int:
        written = real(con, rows)
        ref_record(con, rows)
        return written

    monkeypatch.setattr(state, "record_fetches", record)
    yield


def con_summary(data: Path) -> dict[str, Any]:
    """The latest run's crawl_run_summary row."""
    con = connect(settings.db_path(data))
    try:
        run_id = con.execute("SELECT run_id FROM crawl_run ORDER BY observed_at DESC LIMIT 1"
                             ).fetchall()[0][0]
        return state.run_summary(con, run_id)
    finally:
        con.close()


def out_of_scope_urls(data: Path) -> int:
    """How many URLs the crawl has recorded out of scope."""
    con = connect(settings.db_path(data))
    try:
        return int(con.execute("SELECT count(DISTINCT url) FROM crawl_fetch "
                               "WHERE outcome = 'out_of_scope'").fetchall()[0][0])
    finally:
        con.close()


def compare(data: Path) -> None:
    con = connect(settings.db_path(data))
    try:
        assert_same_as_reference(con)
    finally:
        con.close()


def test_nights_plan_from_the_state_as_from_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shadowed: None) -> None:
    data = tmp_path / "data"
    con = connect(settings.db_path(data))
    create_ref_table(con)
    con.close()
    with Replica(day=0, scale=40, crawl_delay=None) as r:
        pages = len(r.catalog.paths())
        run_crawl(r, data, 0)
        compare(data)
        first = con_summary(data)
        assert first["out_of_scope"] > 0  # the tool pages the sitemaps list
        for n in (1, 2, 3):  # quiet nights: every page left alone, no row for any
            s = run_crawl(r, data, n)
            assert s["counts"]["skipped"] == pages and s["counts"]["fetched"] == 0
            assert s["counts"]["requests"] < 10
            # the URLs out of scope are still counted, with no row of their own again
            assert s["counts"]["out_of_scope"] == first["out_of_scope"]
            compare(data)

        # night 4: the site moved on (new, changed, removed pages); the night crashes at
        # its first page archived, after its plan was recorded, and is resumed
        r.set_day(4)
        with journal_crashes_once(monkeypatch), pytest.raises(Crash):
            run_crawl(r, data, 4)
        close_writers()
        compare(data)
        resumed = run_crawl(r, data, 4)
        assert resumed["starts"] == 2 and resumed["status"] == "finished"
        c = resumed["counts"]
        assert c["gone"] > 0 and c["changed"] + c["new_pages"] > 0 and c["skipped"] > 0
        # every URL out of scope counted once, though the resumed start planned them again
        assert c["out_of_scope"] == out_of_scope_urls(data) > first["out_of_scope"]
        compare(data)

        for n in (5, 6, 9):  # 304 rechecks of the night-0 cohort on night 5, then quiet
            run_crawl(r, data, n)
            compare(data)

    con = connect(settings.db_path(data))
    try:  # no page left alone as unchanged has a row, and every run counted its own
        assert con.execute("SELECT count(*) FROM crawl_fetch WHERE outcome = 'skipped'"
                           ).fetchall() == [(0,)]
        # a URL out of scope has one row, from the night it was first found (night 0, or
        # night 4 for the tools new that day)
        rows, urls, on_night0 = con.execute(
            "SELECT count(*), count(DISTINCT url), count(*) FILTER (WHERE run_id = "
            "(SELECT min_by(run_id, observed_at) FROM crawl_run)) FROM crawl_fetch "
            "WHERE outcome = 'out_of_scope'").fetchall()[0]
        assert rows == urls and on_night0 == first["out_of_scope"] < rows
        ref = con.execute("SELECT count(*) FROM ref_fetch WHERE reason = 'unchanged'"
                          ).fetchall()[0][0]
        assert ref > 3 * pages
        assert con.execute("SELECT sum(pages) FROM crawl_run_skip WHERE reason = 'unchanged'"
                           ).fetchall() == [(ref,)]
        night5 = con.execute("SELECT run_id FROM crawl_run ORDER BY observed_at"
                             ).fetchall()[5][0]
        assert state.run_summary(con, night5)["not_modified"] > 0
    finally:
        con.close()
