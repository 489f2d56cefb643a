"""crawl_url_state and crawl_run_skip: the state a night plans from, kept as rows are
written, must say what the views over every crawl_fetch row said before them (issue 10:
a night costs what changed).

The reference is the old layout itself: every row, skipped-unchanged ones included, kept
in a shadow table with the old upsert rules, and the old view definitions over it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from url_state_reference import (
    NEW_COUNTS,
    REF_COUNTS,
    REF_STATUS,
    REF_VALIDATORS,
    assert_same_as_reference,
    create_ref_table,
    ref_record,
)

from warehouse import connect
from warehouse import crawl_state as state

T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8000"

@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(":memory:")
    create_ref_table(c)
    try:
        yield c
    finally:
        c.close()


def record(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """record_fetches, and the same rows into the shadow table the old way."""
    state.record_fetches(con, rows)
    ref_record(con, rows)


def check(con: duckdb.DuckDBPyConnection) -> None:
    assert_same_as_reference(con)


def open_night(con: duckdb.DuckDBPyConnection, n: int, *, started: int | None = None) -> str:
    """A simulated run for night `n`, started on the wall clock of night `started`."""
    when = T0 + timedelta(days=n if started is None else started)
    return state.open_run(con, base_url=BASE, observed_at=T0 + timedelta(days=n),
                          parser_version="1", now=when)[0]


def page(run: str, i: int, outcome: str, **kw: Any) -> dict[str, Any]:
    return {"run_id": run, "url": f"{BASE}/compare/p{i}", "kind": "page", "outcome": outcome,
            "in_sitemap": True, **kw}


def unchanged(run: str, i: int) -> dict[str, Any]:
    return page(run, i, "skipped", reason="unchanged")


# -- a quiet night costs no row per page ---------------------------------------------------


def test_quiet_nights_write_no_row_per_page_and_still_count(
        con: duckdb.DuckDBPyConnection) -> None:
    first = open_night(con, 0)
    record(con, [page(first, i, "fetched", http_status=200, etag=f"e{i}",
                      fetched_at=T0, change="new") for i in range(50)])
    runs = []
    for n in range(1, 6):
        run = open_night(con, n)
        runs.append(run)
        record(con, [unchanged(run, i) for i in range(50)])
        state.finish_run(con, run, now=T0 + timedelta(days=n))
    assert con.execute("SELECT count(*) FROM crawl_fetch WHERE outcome = 'skipped'"
                       ).fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM crawl_fetch").fetchall() == [(50,)]
    for run in runs:
        s = state.run_summary(con, run)
        assert (s["urls"], s["skipped"], s["fetched"]) == (50, 50, 0)
        assert state.run_health(con, run)["pages_found"] == 50
    assert con.execute("SELECT count(*) FROM crawl_run_skip").fetchall() == [(5,)]
    assert con.execute("SELECT count(*) FROM crawl_url_state").fetchall() == [(50,)]
    check(con)


def test_a_resumed_run_counts_its_unchanged_pages_once(
        con: duckdb.DuckDBPyConnection) -> None:
    first = open_night(con, 0)
    record(con, [page(first, i, "fetched", http_status=200, fetched_at=T0) for i in range(6)])
    run = open_night(con, 1)
    record(con, [unchanged(run, i) for i in range(4)])
    assert state.run_unchanged(con, run) == {f"{BASE}/compare/p{i}" for i in range(4)}
    # the same plan rows again (a start that planned them twice), then p0 fetched after all,
    # p1 skipped for max_pages: each replaces the run's earlier word on the page
    record(con, [unchanged(run, i) for i in range(4)])
    record(con, [page(run, 0, "fetched", http_status=200, fetched_at=T0 + timedelta(days=1)),
                 page(run, 1, "skipped", reason="max_pages", in_sitemap=None)])
    s = state.run_summary(con, run)
    assert (s["urls"], s["skipped"], s["fetched"]) == (4, 3, 1)
    assert state.run_unchanged(con, run) == {f"{BASE}/compare/p{i}" for i in (2, 3)}
    check(con)


def test_the_304_rule_and_later_rows_still_hold(con: duckdb.DuckDBPyConnection) -> None:
    first = open_night(con, 0)
    record(con, [page(first, 0, "fetched", http_status=200, etag="a", fetched_at=T0)])
    run = open_night(con, 7)
    later = T0 + timedelta(days=7)
    record(con, [page(run, 0, "fetched", http_status=200, etag="b", fetched_at=later)])
    record(con, [page(run, 0, "not_modified", http_status=304, etag="b",
                      fetched_at=later + timedelta(hours=1))])  # a resumed run's 304
    assert state.url_states(con)[f"{BASE}/compare/p0"].etag == "b"
    (fetched_at,) = con.execute("SELECT fetched_at FROM crawl_validators").fetchall()[0]
    assert fetched_at == later  # the run's 200 stays the latest fetch
    record(con, [page(run, 0, "failed", reason="timeout")])  # a later row for the key wins
    st = state.url_states(con)[f"{BASE}/compare/p0"]
    assert (st.last_outcome, st.etag, st.last_success_at) == ("failed", "a", T0)
    check(con)


# -- random histories: the state says what the old views said ------------------------------

OUTCOMES = ("fetched", "fetched", "not_modified", "gone", "failed", "disallowed",
            "out_of_scope", "skipped:max_pages", "skipped:host_down", "skipped:unchanged",
            "skipped:unchanged", "skipped:unchanged")


def random_row(rng: random.Random, run: str, i: int, night: int, *, replacing: bool
               ) -> dict[str, Any]:
    """A page row of `run` for page `i`; a row replacing one of the same run is never a
    max_pages / host_down skip nor silent on the sitemap (see the state's limits)."""
    choices = [o for o in OUTCOMES if not (replacing and o.startswith("skipped:")
                                           and o != "skipped:unchanged")]
    outcome, _, reason = rng.choice(choices).partition(":")
    row = page(run, i, outcome, reason=reason or None,
               in_sitemap=rng.random() < 0.8 if replacing else rng.choice([True, False, None]))
    if outcome == "failed":
        row["reason"] = rng.choice(["timeout", "http_5xx"])
    if outcome in ("fetched", "not_modified", "gone", "failed"):
        row.update(http_status={"fetched": 200, "not_modified": 304, "gone": 404}.get(outcome),
                   fetched_at=T0 + timedelta(days=night, minutes=rng.randrange(600)),
                   etag=f"e{night}-{rng.randrange(3)}", requests=1,
                   sitemap_lastmod=T0 + timedelta(days=rng.randrange(night + 1)),
                   payload_digest=f"d{rng.randrange(4)}", capture_id=f"c{rng.randrange(9)}")
    return row


@pytest.mark.parametrize("seed", range(4))
def test_random_histories_match_the_old_views(con: duckdb.DuckDBPyConnection,
                                              seed: int) -> None:
    rng = random.Random(seed)
    pages = 30
    runs: list[tuple[str, int]] = []
    written: dict[tuple[str, int], str] = {}  # (run, page) -> outcome written (plan's `done`)
    for night in range(12):
        if runs and rng.random() < 0.25:  # an earlier night resumed, maybe after a later one
            run, n = rng.choice(runs)
        else:
            run, n = open_night(con, night, started=night), night
            runs.append((run, n))
        for _ in range(rng.randrange(1, 4)):  # a night records in several batches
            batch = []
            for i in rng.sample(range(pages), rng.randrange(1, pages)):
                replacing = (run, i) in written
                if replacing and written[(run, i)] == "skipped:unchanged":
                    continue  # the plan's `done` holds it (state.run_unchanged)
                row = random_row(rng, run, i, n, replacing=replacing)
                written[(run, i)] = f"{row['outcome']}:{row['reason']}".replace(":None", "")
                batch.append(row)
            record(con, batch)
            check(con)
    assert con.execute("SELECT count(*) FROM crawl_fetch WHERE outcome = 'skipped' "
                       "AND reason = 'unchanged'").fetchall() == [(0,)]


# -- an old-layout warehouse -------------------------------------------------------------


def test_an_old_layout_warehouse_is_filled_once(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = connect(path)
    create_ref_table(con)
    rng = random.Random(7)
    for night in range(8):
        run = open_night(con, night)
        record(con, [random_row(rng, run, i, night, replacing=False) for i in range(25)])
    # the old layout: every row in crawl_fetch, skipped-unchanged too, and no state table
    con.execute("INSERT INTO crawl_fetch SELECT * FROM ref_fetch WHERE outcome = 'skipped' "
                "AND reason = 'unchanged'")
    con.execute("DROP TABLE internal.crawl_url_state CASCADE")
    con.execute("DROP TABLE internal.crawl_run_skip CASCADE")
    old_views = {name: con.execute(q).fetchall() for name, q in
                 (("status", REF_STATUS), ("validators", REF_VALIDATORS))}
    old_counts = sorted(con.execute(REF_COUNTS).fetchall())
    con.close()

    con = connect(path)  # the new schema on an old warehouse: filled from crawl_fetch
    try:
        assert sorted(con.execute("SELECT * FROM crawl_url_status").fetchall()) == sorted(
            old_views["status"])
        assert sorted(con.execute("SELECT * FROM crawl_validators").fetchall()) == sorted(
            old_views["validators"])
        assert sorted(con.execute(NEW_COUNTS).fetchall()) == old_counts
        for night in range(8, 11):  # and the nights go on from there
            run = open_night(con, night)
            record(con, [random_row(rng, run, i, night, replacing=False) for i in range(25)])
            check(con)
        # filled once: a later connect does not fill again
        con.execute("DELETE FROM crawl_url_state WHERE url = ?", [f"{BASE}/compare/p0"])
        con.close()
        con = connect(path)
        assert con.execute("SELECT count(*) FROM crawl_url_state").fetchall() == [(24,)]
    finally:
        con.close()
