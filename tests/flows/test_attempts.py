"""Every request a crawl sends is in the archive (issue 11, item 6), and a host that stops
answering is given up on for the night and retried the next (item 5).

Real parts: the replica with its 5xx/429 fault profiles (or stopped), the crawl pipeline
without Prefect, real WARCs read back with warcio, a real DuckDB file. The oracles are
the replica's request log (what the site was asked and what it answered) and its fault
plan (which answers each faulty page gives, attempt by attempt).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from replica_log import page_log, settle
from warcio.archiveiterator import ArchiveIterator

from archive import run_warcs
from flows import settings
from flows.executors import ThreadExecutor
from flows.pipeline import crawl
from replica import Replica
from warehouse import connect

pytestmark = pytest.mark.timeout(240)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3,
        "max_body_bytes": 512 * 1024}
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)


def run_crawl(r: Replica, data: Path, night: int, **kw: Any) -> Any:
    kw.setdefault("rate", 50.0)
    kw.setdefault("concurrency", 4)
    kw.setdefault("fetch_options", FAST)
    kw.setdefault("batch_size", 25)
    return crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=night),
                 parse_processes=0, **kw)


def run_crawl_host_down(r: Replica, data: Path, night: int, **kw: Any) -> None:
    """A night whose host went down: the pipeline may end it failed (issue 11, item 4);
    either way its rows must be on record."""
    try:
        run_crawl(r, data, night, **kw)
    except Exception as exc:
        if type(exc).__name__ != "RunFailed":
            raise


@dataclass
class Record:
    type: str
    url: str
    id: str
    concurrent_to: str | None
    status: int | None
    fields: str


def records_of(data: Path, run_id: str) -> list[Record]:
    out = []
    for path in run_warcs(settings.archive_dir(data), run_id):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                h = rec.rec_headers
                status = None
                if rec.rec_type in ("response", "revisit") and rec.http_headers is not None:
                    status = int(rec.http_headers.get_statuscode())
                body = rec.content_stream().read()
                out.append(Record(rec.rec_type, h.get_header("WARC-Target-URI") or "",
                                  h.get_header("WARC-Record-ID"),
                                  h.get_header("WARC-Concurrent-To"), status,
                                  body.decode() if rec.rec_type == "metadata" else ""))
    return out


def runs(data: Path) -> list[str]:
    con = connect(settings.db_path(data))
    try:
        return [rid for (rid,) in con.execute(
            "SELECT run_id FROM crawl_run ORDER BY observed_at").fetchall()]
    finally:
        con.close()


def fetch_rows(data: Path, run_id: str) -> dict[str, dict[str, Any]]:
    con = connect(settings.db_path(data))
    try:
        cur = con.execute("SELECT * FROM crawl_fetch WHERE run_id = ?", [run_id])
        cols = [d[0] for d in cur.description]
        found = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        return {row["url"]: row for row in found}
    finally:
        con.close()


def check_pairs(records: list[Record]) -> None:
    """Each response or metadata record follows, and names, its own request record."""
    for before, rec in zip(records, records[1:], strict=False):
        if rec.type in ("response", "metadata"):
            assert before.type == "request" and before.url == rec.url
            assert rec.concurrent_to == before.id


def test_every_attempt_of_the_5xx_and_429_profiles_is_archived(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=60, crawl_delay=None, faults="5xx,429", fault_rate=0.5) as r:
        faulty = r.faulty_paths()
        assert {f.profile for f in faulty.values()} == {"5xx", "429"}
        run_crawl(r, data, 0)
        log = settle(r)
        (run_id,) = runs(data)
        rows = fetch_rows(data, run_id)
        records = records_of(data, run_id)

        requests = [x for x in records if x.type == "request"]
        sent = sum(row["requests"] for row in rows.values())
        assert len(requests) == sent == len(log)  # every request sent, the server says
        check_pairs(records)

        # what the site answered, URL by URL and in order, is what the archive holds
        answered: dict[str, list[int]] = defaultdict(list)
        for e in sorted(log, key=lambda e: e.started):
            answered[r.url(e.path)].append(e.status)
        archived: dict[str, list[int]] = defaultdict(list)
        for x in records:
            if x.type in ("response", "revisit") and x.status is not None:
                archived[x.url].append(x.status)
        assert archived == answered

        # the fault plan's truth: each retried page's earlier 5xx/429 answers are there
        retried = 0
        for path, fault in faulty.items():
            statuses = archived[r.url(path)]
            if fault.permanent:
                assert statuses == [fault.status] * FAST["max_attempts"], (path, fault)
            else:
                assert statuses == [fault.status] * fault.failures + [200], (path, fault)
                retried += 1
            # the row points at the final response, the last record of the URL
            row = rows[r.url(path)]
            last = [x for x in records if x.url == r.url(path) and x.type == "response"][-1]
            assert row["warc_record_id"] == last.id and row["http_status"] == statuses[-1]
            assert row["requests"] == len(statuses)
        assert retried > 5


def test_a_retried_page_still_ends_as_a_revisit(tmp_path: Path) -> None:
    """Night 2 rechecks every page: a healing 5xx page answers 5xx, then 304; the 5xx
    responses are archived and the row points at the revisit record of the 304."""
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None, faults="5xx", fault_rate=0.4) as r:
        run_crawl(r, data, 0)
        r.reset_attempts()  # the healing faults fail again, then heal
        run_crawl(r, data, 1, recheck_days=1)
        run_id = runs(data)[-1]
        rows = fetch_rows(data, run_id)
        records = records_of(data, run_id)
        healing = {r.url(p): f for p, f in r.faulty_paths().items() if not f.permanent}
        assert healing
        for url, fault in healing.items():
            mine = [x for x in records if x.url == url and x.type in ("response", "revisit")]
            assert [x.status for x in mine] == [fault.status] * fault.failures + [304]
            assert [x.type for x in mine] == ["response"] * fault.failures + ["revisit"]
            row = rows[url]
            assert row["outcome"] == "not_modified" and row["warc_record_type"] == "revisit"
            assert row["warc_record_id"] == mine[-1].id


def stop_after_discovery(monkeypatch: pytest.MonkeyPatch, r: Replica) -> None:
    """The site goes down between discovery and the first page (in the crawl's threads)."""
    funcs = dict(ThreadExecutor._FUNCS)
    discover: Callable[..., Any] = funcs["discover"]

    def discover_then_stop(**kw: Any) -> Any:
        found = discover(**kw)
        r.stop()
        return found

    funcs["discover"] = discover_then_stop
    monkeypatch.setattr(ThreadExecutor, "_FUNCS", funcs)


def test_a_host_that_goes_down_is_skipped_tonight_and_retried_tomorrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=300, crawl_delay=None) as r:
        run_crawl(r, data, 0)
        r.set_day(2)  # new and changed pages, with new lastmods, are due tonight
        ev = [r.world.events[d] for d in (1, 2)]
        added = {p for e in ev for p in e.added_pages}
        changed = {p for e in ev for p in e.changed_pages} - added
        removed = {p for e in ev for p in e.removed_pages}
        due = {r.url(p) for p in (added | changed) - removed}
        assert len(due) > 10

        stop_after_discovery(monkeypatch, r)
        run_crawl_host_down(r, data, 1)
        monkeypatch.undo()
        run_id = runs(data)[-1]
        rows = {u: row for u, row in fetch_rows(data, run_id).items() if row["kind"] == "page"}
        planned = [row for row in rows.values() if row["reason"] != "unchanged"
                   and row["outcome"] not in ("out_of_scope", "disallowed")]
        assert due <= {row["url"] for row in planned}
        sent = sum(row["requests"] for row in planned)
        assert 5 <= sent <= 5 + 4  # the threshold, plus the requests already in flight
        tried = [row for row in planned if row["requests"]]
        assert {(row["outcome"], row["reason"]) for row in tried} <= {
            ("failed", "connection_error"), ("failed", "connection_reset")}
        skipped = [row for row in planned if not row["requests"]]
        assert len(skipped) >= len(planned) - sent
        assert {(row["outcome"], row["reason"]) for row in skipped} == {("skipped", "host_down")}
        assert all(row["warc_record_id"] is None and row["fetched_at"] is None
                   for row in skipped)
        # every request sent is archived with the error it ended in, and nothing else
        records = records_of(data, run_id)
        page_records = [x for x in records if "/compare/" in x.url]
        assert [x.type for x in page_records] == ["request", "metadata"] * sent
        check_pairs(records)
        assert all(x.fields.startswith("fetch-error: connection_") for x in page_records
                   if x.type == "metadata")

        # the next night the site is back: everything due last night is fetched
        r.start()
        r.clear_log()
        run_crawl(r, data, 2)
        fetched = {r.url(e.path) for e in page_log(r) if e.status == 200}
        assert due <= fetched
        rows2 = fetch_rows(data, runs(data)[-1])
        assert all(rows2[u]["outcome"] == "fetched" for u in due)
