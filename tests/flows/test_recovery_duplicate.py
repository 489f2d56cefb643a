"""A page whose WARC record outlived a crash (no journal line, no row) is rebuilt by the
resumed run from the WARC; the next night must treat it like any page fetched normally:
same sitemap facts, same validators, no second capture of the same page state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from journal_crash import Crash, journal_crashes_once

from flows import settings
from flows.pipeline import crawl
from flows.writers import close_writers
from replica import Replica
from warehouse import connect

pytestmark = pytest.mark.timeout(180)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3,
        "max_body_bytes": 512 * 1024}
#: Simulated nights in the past of the wall clock, as in the soak test.
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
DAY = 3  # the replica's day of nights 1 and 2: some pages changed since day 0


def run_crawl(r: Replica, data: Path, n: int) -> dict:
    return crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=n),
                 rate=50.0, concurrency=1, batch_size=25, fetch_options=FAST,
                 parse_processes=0)


def test_recovered_page_is_not_captured_again_next_night(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None) as r:
        run_crawl(r, data, 0)
        before = {p: r.catalog.lastmod(p) for p in r.catalog.paths()}
        r.set_day(DAY)
        truth = {p: r.catalog.lastmod(p) for p in r.catalog.paths()}
        r.set_day(DAY + 1)  # night 2's day: other pages change, so the sitemaps do too
        after = {p: r.catalog.lastmod(p) for p in r.catalog.paths()}
        r.set_day(DAY)
        changed = {p for p in truth if p in before and truth[p] != before[p]
                   and after.get(p) == truth[p]}
        assert changed, "the replica's day has no changed page"
        assert any(after[p] != truth.get(p) for p in after), "night 2 changes nothing"

        # crash once the WARC holds a changed page but the journal does not
        with (journal_crashes_once(monkeypatch, lambda url: urlsplit(url).path in changed)
              as crashed, pytest.raises(Crash)):
            run_crawl(r, data, 1)
        close_writers()
        (url,) = crashed
        resumed = run_crawl(r, data, 1)
        assert resumed["starts"] == 2 and resumed["status"] == "finished"
        r.set_day(DAY + 1)
        third = run_crawl(r, data, 2)  # the crashed page unchanged: nothing new to capture
        assert third["status"] == "finished"

    con = connect(settings.db_path(data))
    try:
        run1, run2 = (run_id for (run_id,) in con.execute(
            "SELECT run_id FROM crawl_run ORDER BY observed_at").fetchall()[1:])
        # the recovered row carries the plan's sitemap facts (the replica's lastmod)
        lastmod, in_sitemap, change, fetched_at = con.execute(
            "SELECT sitemap_lastmod, in_sitemap, change, fetched_at FROM crawl_fetch "
            "WHERE run_id = ? AND url = ?", [run1, url]).fetchall()[0]
        assert lastmod == truth[urlsplit(url).path] and in_sitemap is True
        assert change == "changed"
        (prev_fetched_at,) = con.execute(
            "SELECT fetched_at FROM crawl_fetch f JOIN crawl_run USING (run_id) "
            "WHERE url = ? AND run_id <> ? ORDER BY observed_at LIMIT 1",
            [url, run1]).fetchall()[0]
        assert fetched_at > prev_fetched_at  # the latest fetch of the page is the latest

        # night 2 did not capture the crashed page again: it is as on night 1 (left alone
        # as unchanged, which writes no crawl_fetch row, or requested again)
        found = con.execute(
            "SELECT outcome, change FROM crawl_fetch WHERE run_id = ? AND url = ?",
            [run2, url]).fetchall()
        if found:
            ((outcome, change),) = found
            assert outcome in ("not_modified", "fetched"), outcome
            assert change in (None, "unchanged"), change
        else:
            assert con.execute("SELECT unchanged_run_id FROM crawl_url_state WHERE url = ?",
                               [url]).fetchall() == [(run2,)]

        # captures per page: one per served state (the replica's lastmod moves with it)
        captures = dict(con.execute(
            "SELECT url, count(*) FROM capture GROUP BY url").fetchall())
        for path, mod in after.items():
            full = r.base_url.rstrip("/") + path
            states = [m for m in (before.get(path), truth.get(path), mod) if m is not None]
            expected = len(set(states))
            assert captures.get(full) == expected, (full, captures.get(full), expected)
        dup = con.execute(
            "SELECT url, observed_at FROM (SELECT url, observed_at, payload_digest, "
            "lag(payload_digest) OVER (PARTITION BY url ORDER BY observed_at) AS prev "
            "FROM capture) WHERE payload_digest = prev").fetchall()
        assert not dup, dup
    finally:
        con.close()
