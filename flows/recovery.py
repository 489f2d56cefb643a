"""Resuming an interrupted run: bring the warehouse level with what is on disk.

The crawl writes the WARC first, then the journal line, then the warehouse; a run killed
between any two of those writes leaves the later ones behind. :func:`recover_run`
catches up from the earlier ones, so no archived page is fetched again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import (
    RecordError,
    iter_records,
    read_journal,
    read_payload_at,
    repair_warc,
    run_warcs,
)
from crawler import Change, FetchKind, FetchResult, FetchRow, Outcome, http_reason
from flows.archiving import IN_SITEMAP, SITEMAP_LASTMOD, RunSpec, WarcLocation, fetch_row
from flows.payloads import CRAWL, Payload, parse_batch
from flows.progress import run_logger
from warehouse import capture_id, load_captures
from warehouse import crawl_state as state
from warehouse.crawl_state import UrlState

__all__ = ["recapture_lost", "recover_run"]

_REDIRECTS = (301, 302, 303, 307, 308)


def recover_run(con: Any, spec: RunSpec) -> dict[str, int]:
    """Bring the warehouse level with the disk for a run that was interrupted.

    1. repair the run's WARC files (a record torn by the crash moved to the quarantine;
       nothing else is touched, and a damaged record elsewhere is skipped and logged);
    2. load journal rows the warehouse lacks, except a new capture's whose WARC record no
       longer reads (damaged since): that page is fetched again, not left without a capture;
    3. rebuild rows from WARC records that have no journal line (a crash between the
       two writes): response → fetched/gone/failed, revisit → not_modified/unchanged;
    4. re-parse from the WARC the new captures whose capture row is missing.
    Returns counts of what was done.
    """
    counts = {"bytes_cut": 0, "journal_rows": 0, "warc_rows": 0, "captures": 0,
              "damaged_records": 0, "refetch": 0}
    files = run_warcs(spec.archive_dir, spec.run_id)
    for path in files:
        counts["bytes_cut"] += repair_warc(path)
    known = {url: FetchRow.from_dict(r)
             for url, r in state.run_fetches(con, spec.run_id, kind=None).items()}
    journal = {url: FetchRow.from_dict(r) for url, r in read_journal(spec.journal).items()}
    new_rows = [row for url, row in journal.items() if url not in known]
    lost = _unreadable_captures(spec, new_rows)
    counts["refetch"] = len(lost)
    missing = [row.to_dict() for row in new_rows if row.url not in lost]
    counts["journal_rows"] = state.record_fetches(con, missing)
    covered = set(known) | set(journal)
    covered |= {r.final_url for r in [*journal.values(), *known.values()] if r.final_url}
    damaged: list[RecordError] = []
    rebuilt = _rows_from_warcs(con, spec, files, covered, damaged)
    counts["damaged_records"] = len(damaged)
    counts["warc_rows"] = state.record_fetches(con, [row.to_dict() for row in rebuilt])
    counts["captures"] = recapture_lost(con, spec)
    return counts


def _unreadable_captures(spec: RunSpec, rows: Iterable[FetchRow]) -> set[str]:
    """URLs of the rows that made a new capture whose response record cannot be read back."""
    lost: set[str] = set()
    for row in rows:
        if (row.outcome != Outcome.FETCHED or row.warc_record_type != "response"
                or row.warc_path is None or row.warc_offset is None):
            continue
        try:
            read_payload_at(Path(spec.data_dir) / row.warc_path, int(row.warc_offset))
        except (OSError, ValueError) as exc:
            run_logger().warning("recovery: %s will be fetched again: %s", row.url, exc)
            lost.add(row.url)
    return lost


def _rows_from_warcs(con: Any, spec: RunSpec, files: Iterable[Path], covered: set[str],
                     damaged: list[RecordError]) -> list[FetchRow]:
    """Rows for the pages whose final record is in the run's WARCs but not in `covered`;
    records that cannot be read are skipped, logged and added to `damaged`.

    A page's final record is its LAST response or revisit in the run (every retried
    attempt is archived too, so an early 503 may precede the 200 that ended the fetch);
    when that last record is a redirect hop, the page itself was not finished.
    """
    from parsers import is_comparison_url

    last: dict[str, tuple[Any, int | None, WarcLocation, datetime | None]] = {}
    for path in files:
        errors: list[RecordError] = []
        written = _written_at(spec, path)
        for record, offset, length, _raw in iter_records(path, errors=errors):
            if record.rec_type not in ("response", "revisit"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if url in covered or not is_comparison_url(url):
                continue
            http = record.http_headers
            status = int(http.get_statuscode()) if http is not None else None
            location = WarcLocation(spec.relpath(path), offset, length,
                                    record.rec_headers.get_header("WARC-Record-ID"),
                                    record.rec_type)
            last[url] = (record, status, location, written)
        for err in errors:
            run_logger().warning("recovery: skipped %s", err)
        damaged += errors
    finals = {url: found for url, found in last.items() if found[1] not in _REDIRECTS}
    if not finals:
        return []
    states: Mapping[str, UrlState] = state.url_states(con)
    rebuilt = []
    for url, (record, status, location, written) in finals.items():
        row = _recovered_row(spec.run_id, url, record, status, location, states.get(url))
        if written is not None:
            row.fetched_at = written
        rebuilt.append(row)
        covered.add(url)
    return rebuilt


def _written_at(spec: RunSpec, path: Path) -> datetime | None:
    """The wall clock a simulated run's WARC file was last written (its records are
    stamped with the night's observed_at, not the fetch time); None for a real run, whose
    WARC-Date is the fetch time. A row's fetched_at orders the page's fetches (the latest
    one's validators and digest are the next night's), so it may not be the night: the
    pages fetched in earlier runs would look newer than the one rebuilt."""
    if not spec.simulated:
        return None
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return datetime.now(UTC)


def _recovered_row(run_id: str, url: str, record: Any, status: int | None,
                   location: WarcLocation, prev: UrlState | None) -> FetchRow:
    """The row of a page fetched once (no redirect) whose WARC `record` is all that is
    left of it; `prev` is what the warehouse knew of the page before the run."""
    from parsers import HTML_TYPES, media_type

    headers, http = record.rec_headers, record.http_headers
    digest = headers.get_header("WARC-Payload-Digest")
    date = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
    revisit = location.record_type == "revisit"
    reason = None
    if revisit:
        outcome = Outcome.NOT_MODIFIED if status == 304 else Outcome.FETCHED
    elif status == 200 and media_type(http.get_header("content-type")) in HTML_TYPES:
        outcome = Outcome.FETCHED
    elif status in (404, 410):
        outcome = Outcome.GONE
    else:
        outcome = Outcome.FAILED
        reason = http_reason(status) if status is not None else None
    result = FetchResult(
        url=url, kind=FetchKind.PAGE, outcome=outcome, reason=reason, status=status,
        final_url=url, attempts=1, requests=1, fetched_at=date,
        conditional=revisit and status == 304,
        etag=http.get_header("etag") if http else None,
        last_modified=http.get_header("last-modified") if http else None,
    )
    row = fetch_row(run_id, result, None, location)
    row.elapsed_ms = None  # not measured
    row.in_sitemap = headers.get_header(IN_SITEMAP) != "false"  # absent: older WARCs
    lastmod = headers.get_header(SITEMAP_LASTMOD)
    row.sitemap_lastmod = datetime.fromisoformat(lastmod) if lastmod else None
    if revisit:
        row.change = None if status == 304 else Change.UNCHANGED
        row.payload_digest = digest
        row.capture_id = prev.capture_id if prev else None
    elif outcome == Outcome.FETCHED:
        row.payload_digest = digest
        row.change = Change.CHANGED if prev and prev.payload_digest else Change.NEW
        row.capture_id = capture_id(url, date, digest)
    return row


def recapture_lost(con: Any, spec: RunSpec) -> int:
    """Parse and load, from the WARC, the run's new captures the warehouse lacks (a crash,
    or a task retried after writing); returns the captures loaded."""
    lost = state.missing_captures(con, spec.run_id)
    if not lost:
        return 0
    payloads = [_payload_at(spec, FetchRow.from_dict(row)) for row in lost]
    records = parse_batch([p for p in payloads if p is not None], spec.parser_version)
    return load_captures(con, records).captures_new


def _payload_at(spec: RunSpec, row: FetchRow) -> Payload | None:
    """The payload of a fetch row's response record, read straight from its offset."""
    if row.warc_path is None or row.warc_offset is None:
        return None
    path, offset = Path(spec.data_dir) / row.warc_path, int(row.warc_offset)
    try:
        archived = read_payload_at(path, offset)
    except (OSError, ValueError) as exc:
        run_logger().warning("cannot read %s@%s back: %s", path, offset, exc)
        return None
    if archived.record_type != "response" or archived.http_status is None:
        return None
    return Payload.from_archived(
        archived, source=CRAWL, source_ref=spec.run_id, warc_path=row.warc_path,
        url=archived.url or row.final_url or row.url,
    )
