"""warehouse.crawl_state: runs, fetch outcomes and the state the next run plans from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse import connect
from warehouse import crawl_state as state

T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(":memory:")
    try:
        yield c
    finally:
        c.close()


def test_simulated_run_is_resumed_by_the_same_night(con: duckdb.DuckDBPyConnection) -> None:
    run, observed, resumed = state.open_run(
        con, base_url=BASE, observed_at=T0, parser_version="1", now=T0
    )
    assert (observed, resumed) == (T0, False)
    again = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="2", now=T0)
    assert again == (run, T0, True)
    other = state.open_run(
        con, base_url=BASE, observed_at=T0 + timedelta(days=1), parser_version="2", now=T0
    )
    assert other[0] != run and not other[2]
    starts, version = con.execute(
        "SELECT starts, parser_version FROM crawl_run WHERE run_id = ?", [run]
    ).fetchone()
    assert (starts, version) == (2, "2")


@pytest.mark.parametrize("status", list(state.RunStatus))
def test_a_simulated_night_is_one_run_whatever_its_status(
    con: duckdb.DuckDBPyConnection, status: state.RunStatus
) -> None:
    """A start killed after its run was closed (finished, or failed at its end) resumes
    that run: the night does not get a second one."""
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    state.finish_run(con, run, status=status, error=None, now=T0)
    assert state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1",
                          now=T0 + timedelta(minutes=1)) == (run, T0, True)
    assert con.execute("SELECT count(*), min(status), min(starts) FROM crawl_run"
                       ).fetchone() == (1, "running", 2)


def test_real_run_is_resumed_only_within_the_window(con: duckdb.DuckDBPyConnection) -> None:
    def run_at(now: datetime) -> str:
        return state.open_run(con, base_url=BASE, observed_at=None, parser_version=None, now=now)[0]

    run = run_at(T0)
    assert run_at(T0 + state.RESUME_WINDOW - timedelta(minutes=1)) == run
    assert run_at(T0 + state.RESUME_WINDOW + timedelta(hours=1)) != run


def test_record_fetches_fills_defaults_and_later_rows_win(
    con: duckdb.DuckDBPyConnection,
) -> None:
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    rows = [
        {"run_id": run, "url": f"{BASE}/a", "kind": "page", "outcome": "failed", "attempts": None},
        {"run_id": run, "url": f"{BASE}/a", "kind": "page", "outcome": "fetched", "requests": 2},
        {"run_id": run, "url": f"{BASE}/robots.txt", "kind": "robots", "outcome": "fetched",
         "http_status": 200, "fetched_at": T0, "not_a_column": 1},
    ]  # fmt: skip
    assert state.record_fetches(con, rows) == 2
    assert state.record_fetches(con, []) == 0
    pages = state.run_fetches(con, run)
    assert list(pages) == [f"{BASE}/a"]
    page = pages[f"{BASE}/a"]
    assert (page["outcome"], page["attempts"], page["requests"]) == ("fetched", 0, 2)
    assert (page["bytes_received"], page["conditional"]) == (0, False)
    assert set(state.run_fetches(con, run, kind=None)) == {f"{BASE}/a", f"{BASE}/robots.txt"}
    latest = state.latest_fetch(con, f"{BASE}/robots.txt")
    assert latest is not None and latest["http_status"] == 200
    assert state.latest_fetch(con, f"{BASE}/robots.txt", outcome="failed") is None


def test_a_crawl_fetch_with_its_old_primary_key_is_remade_without_it(tmp_path: Path) -> None:
    """crawl_fetch lost its PRIMARY KEY (a CHECKPOINT rewrites a whole index): a warehouse
    made before gets the table anew, rows and all, and a later row still replaces the
    run's earlier row for the URL instead of adding one."""
    path = tmp_path / "old.duckdb"
    con = connect(path)
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    state.record_fetches(con, [
        {"run_id": run, "url": f"{BASE}/{p}", "kind": "page", "outcome": "fetched",
         "http_status": 200, "requests": 1} for p in ("a", "b")])
    before = con.execute("SELECT * FROM crawl_fetch ORDER BY url").fetchall()
    ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'crawl_fetch'"
                      ).fetchone()[0].rstrip().rstrip(";").rstrip(")")
    con.execute("CREATE TABLE internal.cf AS FROM internal.crawl_fetch")
    con.execute("DROP TABLE internal.crawl_fetch")
    con.execute(ddl + ", PRIMARY KEY(run_id, url));")  # as the table was made before
    con.execute("INSERT INTO internal.crawl_fetch FROM internal.cf")
    con.execute("DROP TABLE internal.cf")
    assert _keyed(con)
    con.close()

    con = connect(path)
    try:
        assert not _keyed(con)
        assert con.execute("SELECT * FROM crawl_fetch ORDER BY url").fetchall() == before
        state.record_fetches(con, [{"run_id": run, "url": f"{BASE}/a", "kind": "page",
                                    "outcome": "failed", "reason": "timeout"}])
        got = con.execute("SELECT url, outcome FROM crawl_fetch ORDER BY url").fetchall()
        assert got == [(f"{BASE}/a", "failed"), (f"{BASE}/b", "fetched")]
    finally:
        con.close()


def _keyed(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'crawl_fetch' "
        "AND constraint_type = 'PRIMARY KEY'").fetchone()[0])


def test_fetch_schema_is_the_tables(con: duckdb.DuckDBPyConnection) -> None:
    columns = [r[0] for r in con.execute("DESCRIBE crawl_fetch").fetchall()]
    assert state.fetch_schema(con).names == columns


def test_url_states_and_run_figures(con: duckdb.DuckDBPyConnection) -> None:
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    state.record_fetches(
        con,
        [
            {"run_id": run, "url": f"{BASE}/a", "kind": "page", "outcome": "fetched",
             "fetched_at": T0, "etag": "e1", "change": "new", "capture_id": "c1"},
            {"run_id": run, "url": f"{BASE}/b", "kind": "page", "outcome": "failed",
             "reason": "timeout"},
            {"run_id": run, "url": f"{BASE}/c", "kind": "page", "outcome": "failed",
             "reason": "timeout"},
        ],
    )  # fmt: skip
    states = state.url_states(con)
    assert set(states) == {f"{BASE}/a", f"{BASE}/b", f"{BASE}/c"}
    a = states[f"{BASE}/a"]
    assert (a.last_outcome, a.etag, a.last_success_at, a.capture_id) == ("fetched", "e1", T0, "c1")
    assert states[f"{BASE}/b"].last_reason == "timeout"
    assert set(state.url_states(con, [f"{BASE}/b", f"{BASE}/zzz"])) == {f"{BASE}/b"}
    assert state.url_states(con, []) == {}
    assert [r["url"] for r in state.missing_captures(con, run)] == [f"{BASE}/a"]
    assert state.run_failures(con, run) == [("page", "timeout", 2)]
    assert state.failure_examples(con, run) == {"timeout": f"{BASE}/b"}
    summary = state.run_summary(con, run)
    assert (summary["urls"], summary["fetched"], summary["failed"]) == (3, 1, 2)
    assert state.verdict_changes(con, run) == []
    with pytest.raises(KeyError):
        state.run_summary(con, "no-such-run")


def test_finish_and_errors(con: duckdb.DuckDBPyConnection) -> None:
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    state.set_discovery(con, run, "links")
    state.set_run_error(con, run, "x" * 600)
    row = con.execute("SELECT status, discovery, error FROM crawl_run").fetchone()
    assert row == ("running", "links", "x" * 500)
    state.finish_run(con, run, status=state.RunStatus.FAILED, error="boom", now=T0)
    row = con.execute("SELECT status, error, finished_at FROM crawl_run").fetchone()
    assert row == ("failed", "boom", T0)


def test_a_resumed_runs_304_keeps_the_runs_sitemap_body(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A run fetched the sitemap (200, body archived), was killed, and its resume got a 304:
    next night's cache must still read this run's body, not an older run's."""
    url = f"{BASE}/sitemap.xml"

    def sitemap(run: str, status: int, path: str, at: datetime) -> dict[str, object]:
        return {"run_id": run, "url": url, "kind": "sitemap", "http_status": status,
                "outcome": "fetched" if status == 200 else "not_modified", "etag": "e",
                "fetched_at": at, "warc_path": path, "warc_offset": 0}

    first, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)
    state.record_fetches(con, [sitemap(first, 200, "old.warc.gz", T0)])
    state.finish_run(con, first, now=T0)
    night = T0 + timedelta(days=1)
    second, _, _ = state.open_run(con, base_url=BASE, observed_at=night, parser_version="1",
                                  now=night)
    state.record_fetches(con, [sitemap(second, 200, "new.warc.gz", night)])
    state.record_fetches(con, [sitemap(second, 304, "resume.warc.gz", night + timedelta(hours=1))])
    assert state.sitemap_cache(con)[url]["warc_path"] == "new.warc.gz"


def test_known_out_of_scope_count_is_set_and_cleared_per_start(
    con: duckdb.DuckDBPyConnection,
) -> None:
    run, _, _ = state.open_run(con, base_url=BASE, observed_at=T0, parser_version="1", now=T0)

    def counted() -> list[tuple[str, int]]:
        return con.execute("SELECT reason, pages FROM crawl_run_skip WHERE run_id = ?",
                           [run]).fetchall()

    state.record_known_out_of_scope(con, run, 7)
    state.record_known_out_of_scope(con, run, 5)  # a resumed start: set, not added
    assert counted() == [("not_a_comparison_page", 5)]
    state.record_known_out_of_scope(con, run, 0)  # a start that found none clears it
    assert counted() == []
