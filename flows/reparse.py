"""Rebuild the warehouse's parsed tables from the WARCs alone: a new PARSER_VERSION means
a reparse, not a refetch. As a Prefect flow (:func:`reparse_archive`) or without Prefect
(:func:`reparse`).

The archive is streamed: payloads are read file by file in batches, at most
:data:`IN_FLIGHT` batches are being parsed at a time, and each is loaded as soon as it is
parsed, so memory does not grow with the archive. A record that cannot be read (damaged,
torn, over the decode cap) is skipped with its file and offset in the totals'
``unreadable`` list; every other record is reparsed.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prefect import flow

from archive import ArchivedPayload, RecordError, crawl_run_of, iter_payloads, warc_files
from backfill import source_of_warc
from flows import settings
from flows.archiving import IN_SITEMAP
from flows.executors import Executor, ThreadExecutor
from flows.ingest import batched
from flows.lock import writer_lock
from flows.nightly import prefect_executor
from flows.payloads import CRAWL, IMPORT, Payload, parser_version
from flows.progress import run_logger
from flows.summary import publish_snapshot
from flows.writer_limit import writer_slot
from warehouse import GoneOutcome, PageGone, connect, load_captures, load_page_gone
from warehouse.records import run_observed_at

__all__ = ["IN_FLIGHT", "captures_from_warc", "page_gone_of", "reparse", "reparse_archive",
           "reparse_pipeline"]

_LOAD_KEYS = ("captures_new", "captures_existing", "failures", "tools", "reviews")
#: Parse batches submitted and not yet loaded, at most: what bounds reparse's memory.
IN_FLIGHT = 4


def captures_from_warc(path: Path, data: Path, errors: list[RecordError] | None = None,
                       gone: list[PageGone] | None = None) -> Iterator[Payload]:
    """The page captures held by one WARC, as the crawl or the import made them.

    Crawl WARCs (crawl-<run_id>-…): 200 HTML responses of comparison URLs, source
    'crawl', source_ref the run id; their evidence that a page is gone goes to `gone`
    (:func:`page_gone_of`). Backfill WARCs (backfill-<source>-…): the same records,
    source 'wayback' or 'commoncrawl', source_ref the record's origin
    (WARC-Source-URI), as `verdicts backfill` loaded them. Other WARCs (imports): what
    `verdicts import` reads (200 responses and text resources), source 'import',
    source_ref the WARC's path. Records that cannot be read go to `errors` (raised at the
    end without it).
    """
    from parsers import HTML_TYPES, is_comparison_url

    rel = os.path.relpath(path, data)
    run_id = crawl_run_of(path)
    archived = source_of_warc(path)
    fetched = run_id is not None or archived is not None  # HTTP exchanges, not imports
    events = run_id is not None and gone is not None
    for p in iter_payloads(path, errors=errors, pages_only=not events):
        if events and run_id is not None:
            found = page_gone_of(p, run_id)
            if found is not None and gone is not None:
                gone.append(found)
        if fetched:
            if p.record_type != "response" or p.http_status != 200:
                continue
            if p.content_type not in HTML_TYPES:  # pages_only=False lets others through
                continue
            if not p.url or not is_comparison_url(p.url):
                continue
        elif p.http_status is not None and p.http_status != 200:
            continue
        if archived is not None:
            source, ref = archived.value, p.source_uri or rel
        elif run_id is not None:
            source, ref = CRAWL, run_id
        else:
            source, ref = IMPORT, rel
        yield Payload.from_archived(p, source=source, source_ref=ref, warc_path=rel)


def page_gone_of(p: ArchivedPayload, run_id: str) -> PageGone | None:
    """The page-gone evidence in one record of crawl run `run_id`, as the crawl recorded
    it (035_page_gone.sql): the final record of a page fetch (it carries WARC-In-Sitemap)
    that is a 404/410 response, or a failure (another non-2xx/304 response, or a
    fetch-error metadata record) while the page was out of the sitemap. A WARC written
    before the final records carried the field: its 404/410 responses of comparison URLs."""
    from parsers import is_comparison_url

    in_sitemap = p.warc_field(IN_SITEMAP)
    if not p.url or (in_sitemap is None and not is_comparison_url(p.url)):
        return None
    status = p.http_status
    if p.record_type == "response" and status in (404, 410):
        outcome = GoneOutcome.GONE
    elif in_sitemap != "false":
        return None
    elif p.record_type == "metadata" or (
        p.record_type == "response" and status is not None and not 200 <= status < 300
        and status != 304
    ):
        outcome = GoneOutcome.FAILED
    else:
        return None
    return PageGone(p.url, run_id, run_observed_at(run_id), outcome)


def _archive_captures(files: Iterable[Path], data: Path, totals: dict[str, Any],
                      gone: list[PageGone]) -> Iterator[Payload]:
    """Every file's captures in turn, their page-gone evidence into `gone`; unreadable
    records and files noted in `totals`."""
    logger = run_logger()
    for path in files:
        errors: list[RecordError] = []
        try:
            yield from captures_from_warc(path, data, errors, gone)
        except OSError as exc:
            errors.append(RecordError(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        for err in errors:
            logger.warning("reparse: skipped %s", err)
            totals["unreadable"].append(str(err))


def reparse_pipeline(data_dir: str | None, executor: Executor, *, db: str | None = None,
                     batch_size: int = 200) -> dict[str, Any]:
    """Re-parse every page payload in the archive and reload it (replace=True), holding
    the data dir's writer lock; at most :data:`IN_FLIGHT` batches in memory at a time."""
    logger = run_logger()
    data = settings.data_dir(data_dir).resolve()
    db_path = Path(db) if db else settings.db_path(data)
    version = parser_version()
    files = warc_files(settings.archive_dir(data))
    totals: dict[str, Any] = {"warcs": len(files), "payloads": 0, "captures_new": 0,
                              "captures_existing": 0, "failures": 0, "tools": 0, "reviews": 0,
                              "page_gone": 0, "unreadable": []}
    gone: list[PageGone] = []  # read but not loaded yet: loaded with each batch
    with writer_lock(data, "reparse"):
        con = connect(db_path)
        try:
            pending: deque[Any] = deque()
            for chunk in batched(_archive_captures(files, data, totals, gone), batch_size):
                totals["payloads"] += len(chunk)
                pending.append(executor.submit("parse", items=chunk, parser_version=version))
                if len(pending) >= IN_FLIGHT:
                    _load(con, pending.popleft(), totals, gone)
            while pending:
                _load(con, pending.popleft(), totals, gone)
            _load(con, None, totals, gone)
            logger.info("reparse with parser %s: %s", version, totals)
            publish_snapshot(con, db_path)
        finally:
            con.close()
    totals["parser_version"] = version
    return totals


def _load(con: Any, future: Any, totals: dict[str, Any], gone: list[PageGone]) -> None:
    """Wait for one parse batch (if any) and load it, and the page-gone evidence read so
    far (emptying `gone`), adding their counts to `totals`."""
    if future is not None:
        loaded = load_captures(con, future.result(), replace=True)
        for key in _LOAD_KEYS:
            totals[key] += getattr(loaded, key)
    totals["page_gone"] += load_page_gone(con, gone)
    gone.clear()


@flow(name="reparse-archive", persist_result=False)
def reparse_archive(data_dir: str | None = None, *, db: str | None = None,
                    batch_size: int = 200) -> dict[str, Any]:
    """Rebuild the warehouse's parsed tables from the WARCs alone (no fetching).

    Every capture in the archive is parsed again with the current parser and loaded with
    ``load_captures(..., replace=True)``; `db` loads into another warehouse file (e.g. a
    fresh one, to check the archive alone rebuilds it).
    """
    with writer_slot():  # never beside a crawl on the same Prefect server
        return reparse_pipeline(data_dir, prefect_executor(), db=db, batch_size=batch_size)


def reparse(data_dir: str | None = None, *, db: str | None = None) -> dict[str, Any]:
    """:func:`reparse_archive` without Prefect."""
    executor = ThreadExecutor()
    try:
        return reparse_pipeline(data_dir, executor, db=db)
    finally:
        executor.close()
