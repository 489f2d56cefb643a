"""The crawl pipeline end to end against the replica (without Prefect here; the Prefect
flow itself is in test_crawl_flow.py): incremental nights, every fault profile, the
archive/warehouse agreement, crash recovery, reparse, the CLI."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replica_log import PAGES, page_log, settle
from warcio.archiveiterator import ArchiveIterator

from archive import Journal, run_warcs
from cli import main as cli_main
from crawler import Recheck
from flows import settings
from flows.health import RunFailed
from flows.pipeline import crawl
from flows.reparse import reparse
from flows.writers import close_writers
from replica import Replica
from warehouse import connect
from warehouse.queries import query

pytestmark = pytest.mark.timeout(180)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3,
        "max_body_bytes": 512 * 1024}
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)


def night(n: int) -> datetime:
    return NIGHT0 + timedelta(days=n)


def run_crawl(r: Replica, data: Path, n: int, **kw: object) -> dict:
    """One night; rechecks by cohort, so a quiet night requests no page (spread rechecks
    are test_recheck_spread.py's)."""
    kw.setdefault("recheck", Recheck.COHORT)
    kw.setdefault("rate", 50.0)
    kw.setdefault("concurrency", 4)
    kw.setdefault("fetch_options", FAST)
    kw.setdefault("batch_size", 25)
    return crawl(r.base_url, data_dir=str(data), observed_at=night(n), **kw)


def db(data: Path):  # noqa: ANN201
    return connect(settings.db_path(data))


def test_incremental_nights_fetch_only_what_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=80, crawl_delay=None) as r:
        s0 = run_crawl(r, data, 0)
        n_pages = len(r.catalog.paths())
        assert s0["counts"]["fetched"] == s0["counts"]["new_pages"] == n_pages
        full_requests = s0["counts"]["requests"]

        # Night 1, nothing changed, within K days: not a single page request, only
        # robots.txt and the sitemaps (unchanged sitemaps answer 304 too; discovery reads
        # them back from the archive)
        r.clear_log()
        s1 = run_crawl(r, data, 1)
        assert page_log(r) == []
        other = [e.path for e in settle(r) if not e.path.startswith(PAGES)]
        assert "/robots.txt" in other and "/sitemap.xml" in other
        maps = [e for e in settle(r) if e.path.startswith("/sitemap")]
        assert len(maps) >= 3 and all(e.status == 304 and e.bytes_sent == 0 for e in maps)
        assert s1["counts"]["requests"] == len(settle(r)) == len(other)
        assert s1["counts"]["fetched"] == s1["counts"]["not_modified"] == 0
        assert s1["counts"]["skipped"] == n_pages  # lastmod unchanged, recheck not due

        # Night 2, the site moved on two days: new, changed and removed pages
        r.set_day(2)
        r.clear_log()
        s2 = run_crawl(r, data, 2)
        ev = [r.world.events[d] for d in (1, 2)]
        added = {p for e in ev for p in e.added_pages}
        changed = {p for e in ev for p in e.changed_pages} - added
        removed = {p for e in ev for p in e.removed_pages}
        log = page_log(r)
        bodies = {e.path for e in log if e.status == 200}
        assert bodies == (added | changed) - removed
        assert {e.path for e in log if e.status in (404, 410)} == removed
        assert s2["counts"]["new_pages"] == len(added - removed)
        assert s2["counts"]["changed"] == len(changed - removed)
        assert s2["counts"]["gone"] == len(removed)
        # nothing else: the unchanged pages are not due for their recheck yet
        assert {e.path for e in log} == bodies | removed
        assert s2["counts"]["requests"] == len(settle(r)) < full_requests / 2

        # the warehouse agrees with the archive: every capture's record is where it says
        con = db(data)
        rows = con.execute("SELECT url, warc_path, warc_offset, payload_digest FROM capture"
                           ).fetchall()
        assert len(rows) == n_pages + len((added | changed) - removed)
        for url, path, offset, digest in rows[:20]:
            with open(data / path, "rb") as fh:
                fh.seek(offset)
                rec = next(iter(ArchiveIterator(fh, check_digests="raise")))
                assert rec.rec_headers.get_header("WARC-Target-URI") == url
                assert rec.rec_headers.get_header("WARC-Payload-Digest") == digest
                rec.content_stream().read()
        # validators are one view, derived, not stored twice
        v = con.execute("SELECT count(*), count(etag), count(sitemap_lastmod) "
                        "FROM crawl_validators").fetchall()[0]
        assert v[0] == v[1] == v[2] >= n_pages
        assert con.execute("SELECT count(*) FROM crawl_run WHERE status = 'finished'"
                           ).fetchall()[0][0] == 3
        con.close()
        assert not list((data / "crawl").glob("*.jsonl"))  # journals of finished runs removed
        assert (data / "verdicts.snapshot.duckdb").exists()  # analysts' copy published

        # Night 7 (K days after night 0), nothing changed since night 2: every page last
        # verified on night 0 gets its conditional GET, answered 304, no body; the pages
        # fetched on night 2 are not due yet
        r.clear_log()
        s7 = run_crawl(r, data, 7)
        log = page_log(r)
        fresh = (added | changed) - removed
        cohort = set(r.catalog.paths()) - fresh
        assert {e.path for e in log} == cohort and len(log) == len(cohort) > 0
        assert all(e.status == 304 and e.bytes_sent == 0 for e in log), log
        assert {e.headers.get("if-none-match") is not None for e in log} == {True}
        assert s7["counts"]["not_modified"] == len(cohort) and s7["counts"]["fetched"] == 0
        assert s7["counts"]["skipped"] == len(fresh)
        con = db(data)  # the 304s left revisit records
        assert con.execute("SELECT count(*) FROM crawl_fetch WHERE outcome = 'not_modified' "
                           "AND warc_record_type = 'revisit'").fetchall()[0][0] == len(cohort)
        con.close()
        # and the 304s restart the clock: the next night fetches no page at all
        r.clear_log()
        run_crawl(r, data, 8)
        assert page_log(r) == []


def test_every_fault_profile_ends_captured_or_failed_with_a_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    expected = {"5xx": {"http_5xx"}, "429": set(), "slow": {"timeout"},
                "reset": {"connection_reset"}, "truncated": {"truncated_body"},
                "oversized": {"too_large"}, "redirect-loop": {"redirect_loop"},
                "redirect-offsite": {"redirect_offsite"},
                "redirect-private": {"redirect_private"}, "malformed": set(),
                "content-type": {"bad_content_type"}}
    with Replica(day=0, scale=70, crawl_delay=None, faults="all", fault_rate=0.3,
                 slow_delay=2.0, oversized_bytes=2 * 1024 * 1024) as r:
        faulty = r.faulty_paths()
        assert {f.profile for f in faulty.values()} == set(expected)
        # 30% of the pages carry a fault and most faults are permanent: more than 20% of
        # the due pages fail, so the night is Failed (issue 9), its outcomes all recorded
        with pytest.raises(RunFailed) as failed:
            run_crawl(r, data, 0)
        s = failed.value.summary
        assert s is not None and s["status"] == "failed" and s["error"] == failed.value.reason
        assert f"of {len(r.catalog.paths())} pages due failed" in failed.value.reason
        con = db(data)
        rows = {u.removeprefix(r.base_url): (o, reason) for u, o, reason in con.execute(
            "SELECT url, outcome, reason FROM crawl_fetch WHERE kind = 'page' "
            "AND outcome <> 'out_of_scope'").fetchall()}
        assert set(rows) == set(r.catalog.paths())  # nothing lost
        for path, (outcome, reason) in rows.items():
            fault = faulty.get(path)
            if fault is None or not fault.permanent or not expected[fault.profile]:
                assert outcome == "fetched", (path, fault, outcome, reason)
            else:
                assert outcome == "failed" and reason in expected[fault.profile], (
                    path, fault, reason)
        # malformed pages are captured (raw bytes kept) with the parser's verdict on them
        malformed = [r.url(p) for p, f in faulty.items() if f.profile == "malformed"]
        statuses = dict(con.execute("SELECT url, parse_status FROM capture").fetchall())
        assert all(u in statuses for u in malformed)
        failed_before = {p for p, (o, _) in rows.items() if o == "failed"}
        assert s["counts"]["failed"] == len(failed_before) > 0
        assert {f["reason"] for f in s["failures"]} <= set().union(*expected.values())
        con.close()

        # The next run retries every failure (and only failures are fetched again); pages
        # that were already failing do not fail the night again: it finishes
        r.reset_attempts()  # the healing faults fail again, then heal
        r.clear_log()
        s2 = run_crawl(r, data, 1, recheck_days=1000)
        assert s2["status"] == "finished"
        retried = {e.path.rstrip("/") for e in page_log(r)}
        assert failed_before <= retried
        assert s2["counts"]["failed"] == len(failed_before)  # the permanent ones fail again
        assert s2["counts"]["fetched"] == 0  # no healing faults among permanent failures


def test_links_mode_without_a_sitemap(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None, sitemaps=False) as r:
        s = run_crawl(r, data, 0)
        assert s["discovery"] == "links"
        con = db(data)
        urls = {u for (u,) in con.execute("SELECT url FROM capture").fetchall()}
        con.close()
        reachable = {r.url(p) for p in r.catalog.paths()}
        assert urls <= reachable and len(urls) >= 0.5 * len(reachable)
        # bounded: max_pages stops the link crawl
        r.clear_log()
        s2 = run_crawl(r, tmp_path / "other", 0, max_pages=5)
        assert len(page_log(r)) == 5 and s2["counts"]["fetched"] == 5


def test_crash_between_warc_and_journal_is_recovered_without_refetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after a page's WARC records but before its journal line: the rerun loads
    the page from the WARC (row and capture) instead of fetching it again."""
    data = tmp_path / "data"
    with Replica(day=0, scale=30, crawl_delay=None) as r:
        real_append = Journal.append
        calls = {"n": 0}

        class Crash(BaseException):
            pass

        def append(self: Journal, row: dict) -> None:
            calls["n"] += 1
            if calls["n"] == 8:
                raise Crash  # the WARC has the 8th page; the journal and warehouse do not
            real_append(self, row)

        monkeypatch.setattr(Journal, "append", append)
        with pytest.raises(Crash):
            run_crawl(r, data, 0, concurrency=1, batch_size=100)
        close_writers()
        monkeypatch.setattr(Journal, "append", real_append)
        first = [e.path for e in page_log(r)]
        assert len(first) == 8
        r.clear_log()
        s = run_crawl(r, data, 0, concurrency=1)
        again = [e.path for e in page_log(r)]
        assert not set(first) & set(again), "a page archived before the crash was refetched"
        assert s["starts"] == 2 and s["counts"]["new_pages"] == len(r.catalog.paths())
        con = db(data)
        assert con.execute("SELECT count(*), count(DISTINCT url) FROM capture").fetchall()[0] == (
            len(r.catalog.paths()), len(r.catalog.paths()))
        con.close()


def test_reparse_rebuilds_the_warehouse_from_the_warcs_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None) as r:
        run_crawl(r, data, 0)
        r.set_day(3)
        s = run_crawl(r, data, 3)
        assert s["counts"]["changed"] + s["counts"]["new_pages"] > 0
    fresh = tmp_path / "fresh.duckdb"
    totals = reparse(str(data), db=str(fresh))
    assert totals["captures_new"] > 0 and totals["failures"] == 0
    original, rebuilt = db(data), connect(fresh)
    queries = {
        "capture": "SELECT * EXCLUDE (loaded_at) FROM capture ORDER BY capture_id",
        "tool_observation": "SELECT * FROM tool_observation ORDER BY capture_id, position",
        "review_observation": "SELECT * FROM review_observation ORDER BY capture_id, ordinal",
        "comparison": "SELECT * FROM comparison ORDER BY ALL",
        "tool": "SELECT * FROM tool ORDER BY ALL",
    }
    for name, sql in queries.items():
        a, b = original.execute(sql).fetchall(), rebuilt.execute(sql).fetchall()
        assert a == b and a, name
    # a reparse in place (new parser version) changes nothing else and fetches nothing
    totals = reparse(str(data))
    assert totals["captures_new"] == 0 and totals["captures_existing"] > 0
    original.close()
    rebuilt.close()
    # every WARC of every run reads back whole, digests checked
    for path in run_warcs(data / "archive", "") or sorted((data / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                rec.content_stream().read()


def test_verdict_changes_are_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=120, crawl_delay=None) as r:
        run_crawl(r, data, 0)
        reported: list[dict] = []
        for day in (1, 2, 3, 4):
            r.set_day(day)
            reported += run_crawl(r, data, day)["verdict_changes"]
    con = db(data)
    # independently: pages whose tool cards' panel figures differ between consecutive captures
    truth = con.execute("""
        WITH t AS (
            SELECT c.url, c.observed_at, o.position, o.panel_ship_pct, o.panel_verdict,
                   lag(o.panel_ship_pct) OVER w AS prev_pct,
                   lag(o.panel_verdict) OVER w AS prev_verdict
            FROM capture c JOIN tool_observation o USING (capture_id)
            WINDOW w AS (PARTITION BY c.url, o.position ORDER BY c.observed_at))
        SELECT DISTINCT url FROM t
        WHERE prev_pct <> panel_ship_pct OR prev_verdict <> panel_verdict
    """).fetchall()
    con.close()
    tool_changes = {c["url"] for c in reported if c["what"] == "tool"}
    assert {u for (u,) in truth} == tool_changes
    assert reported, "four nights of changes should move some verdict"


def test_a_nights_changes_are_matched_to_its_pages_by_hash(tmp_path: Path) -> None:
    """The summary's change query finds the night's pages' histories with a hash join, not
    a nested loop of every history row against the night's page list (that plan took 54 s
    for a first night of 3,000 pages; no timing here: the plan is the behaviour)."""
    data = tmp_path / "data"
    with Replica(day=0, scale=20, crawl_delay=None) as r:
        run_id = run_crawl(r, data, 0)["run_id"]
    con = db(data)
    plan = con.execute("EXPLAIN " + query("crawl_verdict_changes"), [run_id]).fetchall()[0][1]
    con.close()
    operators = set(re.findall(r"─ ([A-Z][A-Za-z ]+?) ─", plan))
    assert "Hash Join" in operators
    assert not {op for op in operators if re.search(r"Nl Join|Nested Loop|Piecewise", op)}


def test_cli_crawl_reparse_and_schedule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=20, crawl_delay=None) as r:
        rc = cli_main(["crawl", r.base_url, "--no-prefect", "--json", "--rate", "50",
                       "--data-dir", str(data), "--observed-at", "2025-06-02T03:00Z"])
        out = json.loads(capsys.readouterr().out)
        assert rc == 0 and out["counts"]["fetched"] == len(r.catalog.paths())
        assert out["observed_at"] == "2025-06-02T03:00:00+00:00"
        rc = cli_main(["crawl", r.base_url, "--no-prefect", "--rate", "50",
                       "--data-dir", str(data), "--observed-at", "2025-06-03T03:00Z"])
        text = capsys.readouterr().out
        assert rc == 0 and "crawl 20250603T030000Z" in text and "304" in text
    assert cli_main(["reparse", "--no-prefect", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["captures_existing"] > 0

    # refusals: no robots / unlimited rate only for a loopback target
    assert cli_main(["crawl", "https://shiporskip.io", "--no-robots"]) == 2
    assert cli_main(["crawl", "https://shiporskip.io", "--rate", "0"]) == 2
    assert "only allowed" in capsys.readouterr().err

    # schedule: bad cron / time zone are refused (serving is tested in test_schedule*.py)
    assert cli_main(["schedule", "--cron", "not a cron"]) == 2
    assert cli_main(["schedule", "--timezone", "Mars/Olympus"]) == 2
