"""One fetch into the archive: its exchanges as WARC records, its crawl_fetch row, and
the payload to parse.

:func:`fetch_row` is the one place a :class:`crawler.FetchRow` is made from a fetch
result (a crawl's, or one rebuilt from the WARC by :mod:`flows.recovery`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from archive import ArchivedRecord, WarcWriter, journal_path, payload_digest
from crawler import (
    FETCH_COLUMNS,
    Change,
    Exchange,
    FailedRequest,
    FetchConfig,
    FetchKind,
    FetchResult,
    FetchRow,
    Outcome,
    PlanItem,
    Reason,
    RobotsPolicy,
)
from flows import settings
from flows.payloads import CRAWL, Payload

__all__ = ["IN_SITEMAP", "SITEMAP_LASTMOD", "RunSpec", "WarcLocation", "archive_fetch",
           "fetch_row", "row_dict"]

#: WARC fields on a page's final record: the plan's sitemap facts for the fetch, so a row
#: rebuilt from the record alone (:mod:`flows.recovery`) carries them as the journal would.
SITEMAP_LASTMOD = "WARC-Sitemap-Lastmod"
IN_SITEMAP = "WARC-In-Sitemap"


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to fetch and archive for one run (picklable)."""

    run_id: str
    base_url: str
    data_dir: str  # absolute
    observed_at: datetime  # the run's night
    simulated: bool  # stamp captures with observed_at instead of the fetch time
    config: FetchConfig
    parser_version: str
    robots: RobotsPolicy | None = None
    warc_max_bytes: int = 1 << 30
    follow_links: bool = False

    @property
    def archive_dir(self) -> Path:
        """Where the run's WARC files go."""
        return settings.archive_dir(Path(self.data_dir))

    @property
    def journal(self) -> Path:
        """The run's write-ahead journal of fetch outcomes."""
        return journal_path(Path(self.data_dir), self.run_id)

    def stamp(self, fetched: datetime) -> datetime:
        """The observed_at of a capture fetched at `fetched` (its WARC-Date too)."""
        return self.observed_at if self.simulated else fetched

    def relpath(self, path: Path) -> str:
        """`path` relative to the data directory, as the warehouse stores WARC paths."""
        return os.path.relpath(path, self.data_dir)


@dataclass(frozen=True)
class WarcLocation:
    """The record a fetch row points at: its file (relative to the data directory),
    byte range, id and type ('response' or 'revisit')."""

    path: str
    offset: int
    length: int
    record_id: str
    record_type: str


def fetch_row(run_id: str, result: FetchResult, item: PlanItem | None = None,
              location: WarcLocation | None = None) -> FetchRow:
    """The crawl_fetch row of a fetch: the result's figures, the plan's sitemap facts and
    the final record's place in the archive. Change and capture are the caller's to set."""
    row = FetchRow(
        run_id=run_id, url=result.url, kind=result.kind, outcome=result.outcome,
        reason=result.reason, http_status=result.status, attempts=result.attempts,
        requests=result.requests, bytes_received=result.bytes_received,
        elapsed_ms=round(result.elapsed_ms, 3), fetched_at=result.fetched_at,
        final_url=result.final_url, conditional=result.conditional, etag=result.etag,
        last_modified=result.last_modified,
    )
    if result.outcome == Outcome.SKIPPED:  # not requested (host_down): like the plan's rows
        row.fetched_at = row.elapsed_ms = row.final_url = None
    if item is not None:
        row.sitemap_lastmod = item.sitemap_lastmod
        row.in_sitemap = item.in_sitemap
    if location is not None:
        row.warc_path = location.path
        row.warc_offset = location.offset
        row.warc_length = location.length
        row.warc_record_id = location.record_id
        row.warc_record_type = location.record_type
    return row


def row_dict(row: FetchRow) -> dict[str, Any]:
    """`row` as a plain dict (column → value) for the journal and the warehouse: what
    ``row.to_dict()`` gives, without its deep copy (every column is a scalar), which cost
    a twentieth of a millisecond a page, twice."""
    return {name: getattr(row, name) for name in FETCH_COLUMNS}


class _Previous(NamedTuple):
    """The capture a revisit record refers to."""

    record_id: str
    url: str
    date: datetime
    digest: str


class _Final(NamedTuple):
    """The final exchange of a fetch and the record it was archived as."""

    exchange: Exchange
    date: datetime
    record: ArchivedRecord
    location: WarcLocation


def archive_fetch(
    writer: WarcWriter, spec: RunSpec, result: FetchResult, item: PlanItem | None
) -> tuple[FetchRow, Payload | None]:
    """Write every request of a fetch to the WARC and return its crawl_fetch row and, for
    a new payload, the payload to parse.

    Every request sent (each redirect hop and each retry) gets a request record, then
    its response record, or, when no usable response came, a metadata record naming
    the error (:func:`_write_failure`). The final response of a page is a revisit
    record instead when it is a 304 or its payload digest equals the previous capture's;
    the row points at that final record. The records of the fetch are synced to disk
    together (one fsync) before the row is returned, so a row never names a record not
    on disk; inside a caller's own ``writer.deferred_sync()`` (a group commit,
    :mod:`flows.archiver`) the sync comes at the end of the caller's block instead, and
    the row may be used only after it.
    """
    with writer.deferred_sync():
        final = _write_exchanges(writer, spec, result, item)
    row = fetch_row(spec.run_id, result, item, final.location if final else None)
    payload = None
    if final is not None and result.kind == FetchKind.PAGE:
        if final.location.record_type == "revisit":
            if final.exchange.status != 304 and item is not None:  # same payload as before
                row.change = Change.UNCHANGED
                row.payload_digest = item.prev_digest
                row.capture_id = item.prev_capture_id
        elif result.outcome == Outcome.FETCHED:
            payload = _capture(row, spec, result, item, final)
    if result.outcome == Outcome.NOT_MODIFIED and item is not None:
        row.payload_digest = item.prev_digest
        row.capture_id = item.prev_capture_id
        row.etag = result.etag or item.etag
        row.last_modified = result.last_modified or item.last_modified
    return row, payload


def _capture(row: FetchRow, spec: RunSpec, result: FetchResult, item: PlanItem | None,
             final: _Final) -> Payload | None:
    """A fetched page's payload, its change and capture set on `row`; None (and `row`
    failed) when the response is no comparison page."""
    from parsers import HTML_TYPES, is_comparison_url

    ex = final.exchange
    content_type = result.content_type or "text/html"
    if content_type not in HTML_TYPES:
        row.outcome, row.reason = Outcome.FAILED, Reason.BAD_CONTENT_TYPE
        return None
    if not is_comparison_url(ex.url):
        row.outcome, row.reason = Outcome.FAILED, Reason.REDIRECT_NOT_COMPARISON
        return None
    payload = Payload(
        url=ex.url, observed_at=final.date, content_type=content_type,
        payload=result.body or b"", payload_digest=final.record.payload_digest,
        payload_bytes=len(ex.body), source=CRAWL, source_ref=spec.run_id,
        http_status=ex.status,
    ).archived_at(final.record, final.location.path)
    row.change = Change.CHANGED if item is not None and item.prev_digest else Change.NEW
    row.payload_digest = payload.payload_digest
    row.capture_id = payload.capture_id
    return payload


def _write_exchanges(writer: WarcWriter, spec: RunSpec, result: FetchResult,
                     item: PlanItem | None) -> _Final | None:
    """Write a request and a response (or revisit, or failure metadata) record per request
    sent; return the final exchange's record, if any exchange completed."""
    final = result.final
    previous = _previous(result, item)
    facts = _plan_facts(result, item)
    written = None
    trail = result.trail or result.exchanges
    for ex in trail:
        date = spec.stamp(ex.date)
        req = writer.write_request(ex.url, headers=ex.request_headers, date=date)
        if isinstance(ex, FailedRequest):  # the last of a trail that got no response: final
            last = final is None and ex is trail[-1]
            _write_failure(writer, ex, date, req.record_id, facts if last else None)
            continue
        if ex is final and previous is not None and _is_revisit(result, ex, previous):
            rec = writer.write_revisit(
                ex.url, refers_to_record_id=previous.record_id, refers_to_url=previous.url,
                refers_to_date=previous.date, payload_digest=previous.digest,
                status=ex.status, headers=ex.response_headers, date=date, warc_headers=facts,
            )
            record_type = "revisit"
        else:
            rec = writer.write_response(
                ex.url, status=ex.status, reason=ex.reason, headers=ex.response_headers,
                body=ex.body, date=date, concurrent_to=req.record_id,
                warc_headers=facts if ex is final else None,
            )
            record_type = "response"
        if ex is final:
            location = WarcLocation(spec.relpath(rec.path), rec.offset, rec.length,
                                    rec.record_id, record_type)
            written = _Final(ex, date, rec, location)
    return written


def _plan_facts(result: FetchResult, item: PlanItem | None) -> dict[str, str] | None:
    """The WARC fields naming the plan's sitemap facts of a page fetch (None: no plan)."""
    if item is None or result.kind != FetchKind.PAGE:
        return None
    facts = {IN_SITEMAP: "true" if item.in_sitemap else "false"}
    if item.sitemap_lastmod is not None:
        facts[SITEMAP_LASTMOD] = item.sitemap_lastmod.isoformat()
    return facts


def _write_failure(writer: WarcWriter, failed: FailedRequest, date: datetime,
                   request_id: str, facts: dict[str, str] | None = None) -> None:
    """Archive why a request got no usable response: a WARC 1.1 `metadata` record
    (application/warc-fields) concurrent to its request record. WARC has no record type
    for "no response"; a metadata record describing the capture event is what the spec
    offers, and Heritrix's metadata records take the same form."""
    fields = [("fetch-error", failed.reason)]
    if failed.detail:
        fields.append(("fetch-error-detail", " ".join(failed.detail.split())))
    if failed.status is not None:  # the headers came, the body did not (kept no further)
        fields.append(("partial-response-status", str(failed.status)))
    writer.write_metadata(failed.url, fields=fields, date=date, concurrent_to=request_id,
                          warc_headers=facts)


def _previous(result: FetchResult, item: PlanItem | None) -> _Previous | None:
    """The previous capture of a page, when its final response may become a revisit."""
    if (
        item is None or result.kind != FetchKind.PAGE or not item.prev_capture_record_id
        or not item.prev_capture_url or not item.prev_capture_observed_at
        or not item.prev_digest
    ):
        return None
    return _Previous(item.prev_capture_record_id, item.prev_capture_url,
                     item.prev_capture_observed_at, item.prev_digest)


def _is_revisit(result: FetchResult, ex: Exchange, previous: _Previous) -> bool:
    """A 304, or a fetched payload identical to the previous capture's."""
    if ex.status == 304:
        return True
    return result.outcome == Outcome.FETCHED and payload_digest(ex.body) == previous.digest
