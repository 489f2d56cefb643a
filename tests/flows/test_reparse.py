"""Reparse streams the archive: bounded batches in flight, and a damaged or torn record costs
that record only. Checked against the replica's own catalog, on a real crawl's WARCs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from replica_log import page_log

from archive import WarcWriter, crawl_warc_prefix, iter_payloads, iter_records, run_warcs
from cli import main as cli_main
from flows.archiving import IN_SITEMAP
from flows.executors import Executor, ThreadExecutor
from flows.ingest import batched
from flows.pipeline import crawl
from flows.reparse import IN_FLIGHT, page_gone_of, reparse_pipeline
from flows.settings import db_path as settings_db
from flows.writers import close_writers
from replica import Replica
from warehouse import GoneOutcome, connect

pytestmark = pytest.mark.timeout(180)

NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)


class CountingExecutor(Executor):
    """A real ThreadExecutor that counts parse batches submitted and not yet collected."""

    def __init__(self) -> None:
        self.inner = ThreadExecutor()
        self.open = 0
        self.peak = 0

    def submit(self, name: str, **kwargs: Any) -> Any:
        fut = self.inner.submit(name, **kwargs)
        self.open += 1
        self.peak = max(self.peak, self.open)
        owner = self

        class Tracked:
            def result(self) -> Any:
                owner.open -= 1
                return fut.result()

        return Tracked()

    def close(self) -> None:
        self.inner.close()


def crawled(tmp_path: Path, scale: int = 30) -> tuple[Path, set[str]]:
    """A data dir holding one real crawl of the replica; the replica's page URLs."""
    data = tmp_path / "data"
    with Replica(day=0, scale=scale, crawl_delay=None) as r:
        summary = crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0, rate=100.0,
                        concurrency=4, parse_processes=0)
        urls = {r.url(p) for p in r.catalog.paths()}
    close_writers()
    assert summary["counts"]["new_pages"] == len(urls) >= scale
    return data, urls


def page_records(path: Path) -> list[tuple[str, int, int]]:
    """(url, offset, length) of every 200 page response in a WARC."""
    found = []
    for rec, offset, length, _raw in iter_records(path):
        http = rec.http_headers
        url = rec.rec_headers.get_header("WARC-Target-URI")
        if rec.rec_type == "response" and http.get_statuscode() == "200" and "/compare/" in url:
            found.append((url, offset, length))
    return found


def test_batched_yields_what_it_read_before_its_source_failed() -> None:
    def four_then_torn():  # noqa: ANN202
        yield from range(4)
        raise ValueError("torn 5th record")

    got = batched(four_then_torn(), 200)
    assert next(got) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="torn 5th"):
        next(got)


def test_reparse_loses_only_the_damaged_and_the_torn_record(tmp_path: Path) -> None:
    data, urls = crawled(tmp_path)
    (warc,) = run_warcs(data / "archive", "") or sorted((data / "archive").glob("*.warc.gz"))
    pages = page_records(warc)
    assert {u for u, _o, _n in pages} == urls
    raw = bytearray(warc.read_bytes())
    hit_url, hit_offset, hit_length = pages[len(pages) // 2]
    raw[hit_offset + hit_length // 2] ^= 0x01  # a flipped bit in the middle of the file
    torn_url, torn_offset, torn_length = pages[-1]
    damaged = bytes(raw[: torn_offset + torn_length // 2])  # and a crash mid-record at the end
    warc.write_bytes(damaged)

    fresh = tmp_path / "fresh.duckdb"
    executor = CountingExecutor()
    try:
        totals = reparse_pipeline(str(data), executor, db=str(fresh), batch_size=4)
    finally:
        executor.close()
    assert warc.read_bytes() == damaged  # reading never rewrites the archive
    assert totals["payloads"] == totals["captures_new"] == len(urls) - 2
    assert [line.split(": ", 1)[0] for line in totals["unreadable"]] == [
        f"{warc}@{hit_offset}", f"{warc}@{torn_offset}"]
    assert "damaged WARC record" in totals["unreadable"][0]
    assert "partial record" in totals["unreadable"][1]
    # streamed: never more than IN_FLIGHT batches submitted and not yet loaded
    assert executor.peak == IN_FLIGHT < totals["payloads"] / 4
    con = connect(fresh)
    got = {u for (u,) in con.execute("SELECT url FROM capture").fetchall()}
    con.close()
    assert got == urls - {hit_url, torn_url}  # the replica's truth, less the two records


def test_import_of_a_damaged_warc_loads_every_other_page(tmp_path: Path, capsys) -> None:
    data, urls = crawled(tmp_path, scale=12)
    (warc,) = sorted((data / "archive").glob("*.warc.gz"))
    pages = page_records(warc)
    copy = tmp_path / "input.warc.gz"
    shutil.copy(warc, copy)
    raw = bytearray(copy.read_bytes())
    hit_url, hit_offset, hit_length = pages[3]
    raw[hit_offset + hit_length // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    other = tmp_path / "other"
    code = cli_main(["import", str(copy), "--data-dir", str(other)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    (line,) = [line for line in err if "offset" in line]
    assert line.startswith(f"verdicts: {copy}: record at offset {hit_offset}: damaged WARC")
    con = connect(other / "verdicts.duckdb")
    got = {u for (u,) in con.execute("SELECT url FROM capture").fetchall()}
    con.close()
    assert got == urls - {hit_url}


def test_recovery_after_a_crash_skips_a_damaged_record_and_moves_the_torn_tail_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the 8th page's WARC records, a flipped bit in an earlier page's record
    and a torn record at the end: the rerun keeps every readable byte where it is, moves
    only the torn tail to the quarantine, fetches the damaged page again (and no other
    archived one), and finishes the run with every page of the replica captured."""
    from archive import Journal

    data = tmp_path / "data"
    real_append = Journal.append
    calls = {"n": 0}

    class Crash(BaseException):
        pass

    def append(self: Journal, row: dict) -> None:
        calls["n"] += 1
        if calls["n"] == 8:
            raise Crash
        real_append(self, row)

    with Replica(day=0, scale=20, crawl_delay=None) as r:
        urls = {r.url(p) for p in r.catalog.paths()}
        monkeypatch.setattr(Journal, "append", append)
        with pytest.raises(Crash):
            crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0, rate=100.0,
                  concurrency=1, batch_size=100, parse_processes=0)
        close_writers()
        monkeypatch.setattr(Journal, "append", real_append)
        (warc,) = sorted((data / "archive").glob("*.warc.gz"))
        pages = page_records(warc)
        assert len(pages) == 8
        raw = bytearray(warc.read_bytes())
        hit_url, hit_offset, hit_length = pages[2]
        raw[hit_offset + hit_length // 2] ^= 0x01
        size = len(raw)
        torn = bytes(raw[pages[0][1] : pages[0][1] + 100])  # half a record: a crash mid-write
        warc.write_bytes(bytes(raw) + torn)
        r.clear_log()
        summary = crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0, rate=100.0,
                        concurrency=1, parse_processes=0)
        again = {r.url(e.path) for e in page_log(r)}
    close_writers()
    assert summary["status"] == "finished" and summary["starts"] == 2
    archived = {u for u, _o, _n in pages}
    assert hit_url in again and not (archived - {hit_url}) & again  # only it is refetched
    assert warc.read_bytes()[:size] == bytes(raw)  # the damaged record is still there
    assert warc.stat().st_size == size
    kept = data / "archive" / "quarantine" / f"{warc.name}.torn-{size}"
    assert kept.read_bytes() == torn
    con = connect(data / "verdicts.duckdb")
    got = {u for (u,) in con.execute("SELECT url FROM capture").fetchall()}
    con.close()
    assert got == urls


def _life(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """page_gone, page life and tool_trend of a warehouse, sorted."""
    con = connect(db)
    try:
        gone = con.execute("SELECT url, run_id, observed_at, outcome FROM internal.page_gone "
                           "ORDER BY ALL").fetchall()
        life = con.execute("SELECT * FROM internal.page_life_live ORDER BY ALL").fetchall()
        trend = con.execute("SELECT * FROM tool_trend ORDER BY ALL").fetchall()
    finally:
        con.close()
    return gone, life, trend


def test_reparse_rebuilds_page_life_and_trends_from_the_archive_alone(tmp_path: Path) -> None:
    """Pages the replica removes: the crawl finds them gone (404/410), and a reparse of
    the WARCs alone into a new warehouse gives the same evidence, page life and trends."""
    data = tmp_path / "data"
    nights = (0, 4, 8)
    with Replica(day=0, scale=60, crawl_delay=None) as r:
        for day in nights:
            r.set_day(day)
            crawl(r.base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=day),
                  rate=100.0, concurrency=4, parse_processes=0)
        removed = {r.url(p.path): p for p in r.world.pages.values()  # crawled, then gone
                   if p.removed_day is not None and p.removed_day <= nights[-1]
                   and any(p.created_day <= d < p.removed_day for d in nights)}
    close_writers()
    assert removed, "the replica removed no page in these nights: pick other nights"
    gone, life, trend = _life(settings_db(data))
    # the replica's truth: each removed page's life ends on the first night after removal
    ends = {url: (to, by) for url, _n, _f, to, by, _s in life}
    for url, page in removed.items():
        first_night = min(d for d in nights if d >= page.removed_day)
        assert ends[url] == (NIGHT0 + timedelta(days=first_night), "gone"), url
    assert {g[0] for g in gone} == set(removed)

    fresh = tmp_path / "fresh.duckdb"
    totals = reparse_pipeline(str(data), ThreadExecutor(), db=str(fresh))
    assert totals["page_gone"] >= len(removed)
    assert _life(fresh) == (gone, life, trend)


def test_page_gone_evidence_is_read_from_the_final_record_of_each_fetch(tmp_path: Path) -> None:
    """What page_gone_of makes of each kind of record in a crawl WARC: the rules the crawl
    applies to its fetch rows (page_gone_from_fetches.sql), from the record alone."""
    run_id = "20250602T030000Z-0badf00d"
    base = "http://127.0.0.1:9/compare/"
    html = [("Content-Type", "text/html")]
    writer = WarcWriter(tmp_path, prefix=crawl_warc_prefix(run_id))

    def response(url: str, status: int, fields: dict[str, str] | None) -> None:
        writer.write_response(url, status=status, reason="", headers=html, body=b"<p>x</p>",
                              date=NIGHT0, warc_headers=fields)

    listed, unlisted = {IN_SITEMAP: "true"}, {IN_SITEMAP: "false"}
    response(base + "a-vs-b", 404, listed)       # gone, listed or not
    response(base + "c-vs-d", 410, unlisted)     # gone
    response(base + "e-vs-f", 503, unlisted)     # failing out of the sitemap
    response(base + "g-vs-h", 503, listed)       # failing in the sitemap: still live
    response(base + "i-vs-j", 200, unlisted)     # fetched
    writer.write_metadata(base + "k-vs-l", fields=[("fetch-error", "timeout")], date=NIGHT0,
                          warc_headers=unlisted)  # no response, out of the sitemap
    writer.write_metadata(base + "m-vs-n", fields=[("fetch-error", "timeout")], date=NIGHT0)
    response(base + "o-vs-p", 404, None)         # a WARC from before the field: 404 = gone
    response("http://127.0.0.1:9/about", 404, None)  # not a comparison page
    writer.close()
    (path,) = tmp_path.glob("*.warc.gz")
    found = {g.url.rsplit("/", 1)[1]: g.outcome
             for p in iter_payloads(path, pages_only=False)
             if (g := page_gone_of(p, run_id)) is not None}
    assert found == {"a-vs-b": GoneOutcome.GONE, "c-vs-d": GoneOutcome.GONE,
                     "e-vs-f": GoneOutcome.FAILED, "k-vs-l": GoneOutcome.FAILED,
                     "o-vs-p": GoneOutcome.GONE}
    assert {g.observed_at for p in iter_payloads(path, pages_only=False)
            if (g := page_gone_of(p, run_id))} == {NIGHT0}  # the run id dates it
