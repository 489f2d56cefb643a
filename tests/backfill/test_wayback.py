"""Backfill from a real local pywb (CDX API + `id_` mementos): the warehouse's history for
those days equals the replica's truth; WARC provenance; oddities recorded with their
reasons; a second run adds nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from backfill_support import check_truth, in_window, odd_day, run_engine
from wayback_support import WaybackSite

from archive import iter_records
from backfill import BackfillSpec, Outcome, Reason, Source, backfill_warcs, read_ledger
from replica import CaptureKind
from warehouse.db import connect


def _warc_records(data: Path) -> list[tuple[str, dict[str, str]]]:
    out = []
    for path in backfill_warcs(data / "archive"):
        for record, _, _, _ in iter_records(path):
            out.append((record.rec_type, dict(record.rec_headers.headers)))
    return out


def _capture_count(data: Path) -> int:
    con = connect(data / "verdicts.duckdb")
    try:
        row = con.execute("SELECT count(*) FROM internal.capture").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_wayback_backfill_matches_the_truth(local_wayback: WaybackSite,
                                            spec_for: Callable[..., BackfillSpec]) -> None:
    site = local_wayback
    day = odd_day(site)
    since = day - timedelta(days=2)
    spec = spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url, since=since,
                    until=day)
    settled = run_engine(spec)
    window = in_window(site, since, day)
    assert len(settled) == len(window)  # every listed capture has an outcome
    outcomes = Counter((s.outcome, s.reason) for s in settled)
    comparisons = [c for c in window if c.kind == CaptureKind.COMPARISON]
    assert outcomes[(Outcome.FAILED, Reason.DIGEST_MISMATCH)] == 1
    assert (outcomes[(Outcome.ARCHIVED, None)] + outcomes[(Outcome.REVISIT, None)]
            == len(comparisons) + 1)  # + the soft-404: archived, then a parse error
    checked = check_truth(Path(spec.data_dir), site, comparisons, "wayback")
    assert checked == len(comparisons) > 60

    # the soft-404 is a capture whose parse failed, with the reason
    soft = next(c for c in window if c.kind == CaptureKind.NOT_COMPARISON)
    con = connect(Path(spec.data_dir) / "verdicts.duckdb")
    try:
        status, error, ref = con.execute(
            "SELECT parse_status, parse_error, source_ref FROM internal.capture WHERE url = ?",
            [soft.url]).fetchone() or (None, None, None)
        bad = next(c for c in window if c.kind == CaptureKind.BAD_DIGEST)
        n_bad = con.execute("SELECT count(*) FROM internal.capture WHERE url = ? AND "
                            "observed_at = ?", [bad.url, bad.captured_at]).fetchone()
    finally:
        con.close()
    assert status == "error" and error
    assert ref == site.wayback.memento_url(soft.timestamp, soft.url)
    assert n_bad == (0,)  # a payload not matching its CDX digest is never loaded
    failed = next(s for s in settled if s.reason == Reason.DIGEST_MISMATCH)
    assert failed.url == bad.url and bad.digest in (failed.detail or "")


def test_warc_provenance_and_revisits(local_wayback: WaybackSite,
                                      spec_for: Callable[..., BackfillSpec]) -> None:
    site = local_wayback
    day = odd_day(site)
    spec = spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url, since=day,
                    until=day)
    run_engine(spec)
    by_time = {(c.url, c.timestamp): c for c in in_window(site, day)}
    records = _warc_records(Path(spec.data_dir))
    kinds = Counter(kind for kind, _ in records)
    assert kinds["metadata"] == 1  # the bad digest, named in a metadata record
    seen: set[tuple[str, str]] = set()
    for kind, headers in records:
        if kind == "warcinfo":
            continue
        source = headers["WARC-Source-URI"]
        stamp = source.split("/replica/", 1)[1].split("id_/", 1)[0]
        capture = by_time[(headers["WARC-Target-URI"], stamp)]
        assert source == site.wayback.memento_url(capture.timestamp, capture.url)
        assert headers["WARC-Date"].startswith(capture.captured_at.strftime("%Y-%m-%dT%H:%M:%S"))
        key = (headers["WARC-Target-URI"], headers.get("WARC-Payload-Digest", ""))
        if kind == "response":
            assert headers["WARC-Payload-Digest"] == f"sha1:{capture.payload_digest}"
            assert key not in seen  # one response per payload and URL
            seen.add(key)
        elif kind == "revisit":
            assert headers["WARC-Profile"].endswith("identical-payload-digest")
            assert key in seen  # refers to a response archived before it
            assert headers["WARC-Payload-Digest"] == f"sha1:{capture.payload_digest}"
    assert kinds["revisit"] > 0 and kinds["response"] > 0


def test_second_run_adds_nothing(local_wayback: WaybackSite,
                                 spec_for: Callable[..., BackfillSpec]) -> None:
    site = local_wayback
    day = odd_day(site)
    spec = spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url, since=day,
                    until=day, source=Source.WAYBACK)
    run_engine(spec)
    data = Path(spec.data_dir)
    records, captures = len(_warc_records(data)), _capture_count(data)
    files = backfill_warcs(data / "archive")
    again = run_engine(spec)
    assert again == []  # everything settled: nothing fetched, nothing skipped anew
    assert len(_warc_records(data)) == records
    assert _capture_count(data) == captures
    assert backfill_warcs(data / "archive") == files
    assert len(read_ledger(spec.ledger)) == len(in_window(site, day))


def test_records_the_ledger_missed_are_recovered(local_wayback: WaybackSite,
                                                 spec_for: Callable[..., BackfillSpec]
                                                 ) -> None:
    """A kill between a record's fsync and its ledger line: the next run finds the record
    in the WARC, notes it, and archives nothing twice."""
    site = local_wayback
    day = odd_day(site)
    spec = spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url, since=day,
                    until=day)
    run_engine(spec)
    data = Path(spec.data_dir)
    records = _warc_records(data)
    lines = spec.ledger.read_text(encoding="utf-8").splitlines()
    spec.ledger.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")  # 5 lines lost
    again = run_engine(spec)
    assert again == []  # nothing fetched again: the 5 came back from the archive
    assert len(_warc_records(data)) == len(records)
    recovered = read_ledger(spec.ledger)
    assert len(recovered) == len(in_window(site, day))
    assert {s.outcome for s in recovered.values()} >= {Outcome.ARCHIVED, Outcome.FAILED}


def _captures(db: Path) -> set[tuple[object, ...]]:
    con = connect(db)
    try:
        rows = con.execute(
            "SELECT url, observed_at, source, source_ref, payload_digest, parse_status "
            "FROM internal.capture").fetchall()
    finally:
        con.close()
    return set(rows)


def test_reparse_of_the_archive_alone_keeps_source_and_origin(
        local_wayback: WaybackSite, spec_for: Callable[..., BackfillSpec]) -> None:
    """A backfilled capture rebuilt from its WARC alone keeps its source and origin (the
    memento URL), so `verdicts reparse` reproduces what the backfill loaded."""
    from flows.executors import ThreadExecutor
    from flows.reparse import reparse_pipeline

    site = local_wayback
    day = odd_day(site)
    spec = spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url,
                    since=day - timedelta(days=1), until=day)
    run_engine(spec)
    data = Path(spec.data_dir)
    loaded = _captures(data / "verdicts.duckdb")
    assert {row[2] for row in loaded} == {"wayback"}
    fresh = data / "rebuilt.duckdb"
    reparse_pipeline(str(data), ThreadExecutor(), db=str(fresh))
    assert _captures(fresh) == loaded
