"""The backfill's stages, without Prefect or DuckDB: discover, plan, fetch + archive.

* :func:`discover` asks each source's CDX API which captures of the site's comparison
  pages it holds in the window (:class:`CdxUnavailable` when one cannot answer);
* :func:`plan` leaves out what the ledger has settled for good, records URLs that are no
  comparison page as skipped, and caps the rest at `max_captures`;
* :func:`fetch_batch` fetches each capture politely, checks its digest, and archives it
  (response, revisit or a metadata record naming the failure), then its ledger line.

Plain functions of picklable arguments, so they run as Prefect tasks
(:mod:`flows.backfill`) or directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from archive import ArchivedRecord, WarcWriter
from backfill._cdx import CdxQuery, cc_crawls, list_captures, memento_prefix, site_pattern
from backfill._http import ArchiveClient, FetchFailed, Politeness
from backfill._ledger import (
    Ledger,
    Previous,
    ledger_path,
    read_ledger,
    recover,
    revisit_index,
    warc_prefix,
)
from backfill._memento import Memento, digest_problem, fetch_memento, provenance
from backfill._models import Capture, Outcome, Reason, Settled, Source
from crawler import LIVE_BASE_URL, run_async

__all__ = ["CC_DATA", "CC_INDEX", "WAYBACK_CDX", "BackfillSpec", "BatchResult", "CdxUnavailable",
           "Discovery", "Plan", "discover",
           "fetch_batch", "plan"]

WAYBACK_CDX = "https://web.archive.org/cdx/search/cdx"
CC_INDEX = "https://index.commoncrawl.org"
CC_DATA = "https://data.commoncrawl.org"


class CdxUnavailable(Exception):
    """A CDX server could not list the captures (unreachable, errors, unreadable)."""


@dataclass(frozen=True)
class BackfillSpec:
    """One backfill: the site, the window, the source, and how politely to ask.

    `source` is Wayback (`cdx_url`: web.archive.org's CDX server or any compatible one)
    or Common Crawl (`crawls`: CC-MAIN-… ids; none means those collinfo.json says
    overlap the window). `data_dir` is absolute.
    """

    data_dir: str
    source: Source = Source.WAYBACK
    site: str = LIVE_BASE_URL
    since: date | None = None
    until: date | None = None
    cdx_url: str = WAYBACK_CDX
    crawls: tuple[str, ...] = ()
    cc_index: str = CC_INDEX
    cc_data: str = CC_DATA
    max_captures: int | None = None
    politeness: Politeness = field(default_factory=Politeness)
    warc_max_bytes: int = 1 << 30

    @property
    def archive_dir(self) -> Path:
        return Path(self.data_dir) / "archive"

    @property
    def ledger(self) -> Path:
        return ledger_path(Path(self.data_dir))


@dataclass
class Discovery:
    """What the CDX API listed (time order) and each host's next allowed start."""

    captures: list[Capture]
    endpoints: list[str]
    not_before: dict[str, float]
    requests: int = 0


@dataclass
class BatchResult:
    """What one fetch batch settled, and each host's next allowed start."""

    settled: list[Settled] = field(default_factory=list)
    not_before: dict[str, float] = field(default_factory=dict)
    requests: int = 0


def discover(spec: BackfillSpec, not_before: dict[str, float] | None = None) -> Discovery:
    """The captures the source lists for the site in the window; :class:`CdxUnavailable`
    (one line naming the server and why) when it cannot say."""
    try:
        return run_async(_discover(spec, not_before or {}))
    except FetchFailed as exc:
        raise CdxUnavailable(f"the CDX server did not answer: {exc.detail}") from exc
    except ValueError as exc:  # bad JSON, a bad endpoint
        raise CdxUnavailable(f"unreadable CDX answer: {exc}") from exc


async def _discover(spec: BackfillSpec, not_before: dict[str, float]) -> Discovery:
    pattern = site_pattern(spec.site)
    async with ArchiveClient(spec.politeness, not_before=not_before) as client:
        queries = await _queries(client, spec, pattern)
        captures: dict[str, Capture] = {}
        for query in queries:
            for capture in await list_captures(client, query):
                captures.setdefault(capture.ref, capture)
        ordered = sorted(captures.values(), key=lambda c: (c.timestamp, c.url, c.ref))
        return Discovery(ordered, [q.endpoint for q in queries], client.next_starts(),
                         client.requests)


async def _queries(client: ArchiveClient, spec: BackfillSpec, pattern: str) -> list[CdxQuery]:
    if spec.source == Source.WAYBACK:
        return [CdxQuery(spec.cdx_url, Source.WAYBACK, pattern, spec.since, spec.until,
                         memento_prefix=memento_prefix(spec.cdx_url))]
    index = spec.cc_index.rstrip("/")
    if spec.crawls:
        crawls = [(crawl, f"{index}/{crawl}-index") for crawl in spec.crawls]
    else:
        crawls = await cc_crawls(client, f"{index}/collinfo.json", index, spec.since,
                                 spec.until)
    return [CdxQuery(api, Source.COMMONCRAWL, pattern, spec.since, spec.until,
                     data_prefix=spec.cc_data) for _, api in crawls]


@dataclass
class Plan:
    """The captures to fetch now, and those settled before or skipped now."""

    todo: list[Capture]
    already: int
    skipped: list[Settled]
    held_back: int  # beyond max_captures: left for the next run


def plan(spec: BackfillSpec, captures: list[Capture]) -> Plan:
    """What to fetch: captures the ledger has not settled for good (failed ones are
    tried again), comparison URLs only (the others recorded skipped), at most
    `max_captures`. Also catches the ledger up with a killed run's records."""
    from parsers import is_comparison_url

    recover(Path(spec.data_dir), spec.archive_dir, {_source_key(c): c.ref for c in captures})
    settled = read_ledger(spec.ledger)
    todo: list[Capture] = []
    skipped: list[Settled] = []
    already = 0
    for capture in captures:
        done = settled.get(capture.ref)
        if done is not None and done.final:
            already += 1
        elif not is_comparison_url(capture.url):
            skipped.append(_failed(capture, Outcome.SKIPPED, Reason.NOT_COMPARISON_URL,
                                   f"{capture.url} is no /compare/<a>-vs-<b> page"))
        else:
            todo.append(capture)
    limit = len(todo) if spec.max_captures is None else spec.max_captures
    if skipped:
        with Ledger(spec.ledger) as ledger:
            for s in skipped:
                ledger.append(s)
    return Plan(todo[:limit], already, skipped, max(0, len(todo) - limit))


def _source_key(capture: Capture) -> str:
    """How a record's provenance headers name the capture (see backfill._ledger.recover)."""
    fields = provenance(capture)
    uri, rng = fields["WARC-Source-URI"], fields.get("WARC-Source-Range")
    return f"{uri}#{rng}" if rng else uri


def _failed(capture: Capture, outcome: Outcome, reason: Reason, detail: str,
            status: int | None = None) -> Settled:
    return Settled(key=capture.ref, source=capture.source, url=capture.url,
                   captured_at=capture.captured_at, outcome=outcome, reason=reason,
                   detail=" ".join(detail.split()), http_status=status)


def fetch_batch(spec: BackfillSpec, captures: list[Capture],
                not_before: dict[str, float] | None = None) -> BatchResult:
    """Fetch, check and archive `captures` in order; each settled capture's ledger line is
    written right after its records are on disk."""
    return run_async(_fetch_batch(spec, captures, not_before or {}))


async def _fetch_batch(spec: BackfillSpec, captures: list[Capture],
                       not_before: dict[str, float]) -> BatchResult:
    out = BatchResult(not_before=dict(not_before))
    if not captures:
        return out
    previous = revisit_index(read_ledger(spec.ledger).values())
    writer = WarcWriter(spec.archive_dir, prefix=warc_prefix(spec.source),
                        max_bytes=spec.warc_max_bytes)
    with writer, Ledger(spec.ledger) as ledger:
        async with ArchiveClient(spec.politeness, not_before=not_before) as client:
            for capture in captures:
                settled = await _one(client, writer, spec, capture, previous)
                ledger.append(settled)
                out.settled.append(settled)
            out.not_before = client.next_starts()
            out.requests = client.requests
    return out


async def _one(client: ArchiveClient, writer: WarcWriter, spec: BackfillSpec,
               capture: Capture, previous: dict[tuple[str, str], Previous]) -> Settled:
    """Fetch one capture and archive what became of it (records synced on return)."""
    try:
        memento = await fetch_memento(client, capture)
    except FetchFailed as exc:
        return _failed(capture, Outcome.FAILED, exc.reason, exc.detail, exc.status)
    problem = digest_problem(capture, memento)
    with writer.deferred_sync():
        if problem is not None:
            rec = writer.write_metadata(
                capture.url, date=capture.captured_at, warc_headers=provenance(capture),
                fields=[("fetch-error", Reason.DIGEST_MISMATCH.value),
                        ("fetch-error-detail", problem)])
            settled = _failed(capture, Outcome.FAILED, Reason.DIGEST_MISMATCH, problem,
                              memento.status)
        else:
            settled, rec = _archive(writer, capture, memento, previous)
    settled.warc_path = str(Path(rec.path).relative_to(spec.data_dir))
    settled.warc_offset, settled.warc_length = rec.offset, rec.length
    settled.warc_record_id = rec.record_id
    key = (capture.url, memento.digest)
    if settled.outcome == Outcome.ARCHIVED and (
            key not in previous or previous[key].date > capture.captured_at):
        previous[key] = Previous(rec.record_id, capture.url, capture.captured_at,
                                 memento.digest)
    return settled


def _archive(writer: WarcWriter, capture: Capture, memento: Memento,
             previous: dict[tuple[str, str], Previous]) -> tuple[Settled, ArchivedRecord]:
    """A response record dated at the capture, or a revisit when the URL's payload with
    this digest is archived already from an earlier (or the same) time. A capture older
    than every archived copy is archived in full: the history must reach back to it."""
    digest = memento.digest
    prior = previous.get((capture.url, digest))
    if prior is not None and prior.date > capture.captured_at:
        prior = None
    base = Settled(key=capture.ref, source=capture.source, url=capture.url,
                   captured_at=capture.captured_at, outcome=Outcome.ARCHIVED,
                   http_status=memento.status, content_type=memento.content_type,
                   payload_digest=digest, payload_bytes=len(memento.body))
    if prior is not None:
        rec = writer.write_revisit(
            capture.url, refers_to_record_id=prior.record_id, refers_to_url=prior.url,
            refers_to_date=prior.date, payload_digest=digest, status=memento.status,
            headers=memento.headers, date=capture.captured_at,
            warc_headers=provenance(capture))
        return replace(base, outcome=Outcome.REVISIT), rec
    rec = writer.write_response(
        capture.url, status=memento.status, reason=memento.reason, headers=memento.headers,
        body=memento.body, date=capture.captured_at, warc_headers=provenance(capture))
    return base, rec
