"""The nightly crawl and the archive reparse, as Prefect 3 flows (and without Prefect).

``nightly_crawl``: discover → plan → fetch → archive → parse → load → summary.

* **discover** (one task): robots.txt, then the sitemaps it names (:mod:`crawler._discovery`).
* **plan** (in the flow): which pages to request tonight (:mod:`crawler._plan`).
* **fetch + archive** (tasks of `batch_size` URLs, run one after another so the host's
  politeness budget is never shared): each URL is fetched (:mod:`crawler._fetch`), its
  exchanges written to the run's WARC (raw bytes, before anything parses them), then its
  crawl_fetch row appended to the run's journal (:mod:`archive._journal`).
* **parse** (tasks, overlapping the next fetch batch): payloads → CaptureRecords.
* **load** (in the flow process, the warehouse's only writer): fetch rows, captures.
* **summary**: counts, failures by reason, verdicts that changed; a markdown artifact.

Crash safety: the WARC is written first, then the journal line, then the warehouse. A
run killed at any moment is resumed by the next start with the same observed_at (same
run_id): WARCs are repaired, journal lines and WARC records the warehouse lacks are
loaded from disk, and only the URLs without an outcome are fetched.

``reparse_archive`` rebuilds the parsed tables from the WARCs alone, so a new
PARSER_VERSION means a reparse, not a refetch. ``crawl`` runs the same pipeline as
``nightly_crawl`` with plain threads instead of Prefect, parsing in a worker process
(for benchmarks and embedding).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from archive._journal import Journal, journal_path, read_journal
from archive._warc import ArchivedRecord, WarcWriter, iter_payloads, iter_records, repair_warc
from crawler import _config
from crawler._fetch import FetchConfig, Fetcher, FetchResult, media_type
from crawler._plan import PlanItem, make_plan
from crawler._robots import RobotsPolicy, robots_url
from crawler._scope import Scope, normalize_url
from flows import settings
from flows.ingest import batched
from warehouse import CaptureRecord, capture_id, connect, load_captures
from warehouse import crawl_state as state

__all__ = [
    "CrawlParams",
    "ParseItem",
    "RunSpec",
    "crawl",
    "nightly_crawl",
    "reparse",
    "reparse_archive",
    "set_progress_hook",
]

log = logging.getLogger("verdicts.crawl")

#: Media types a page capture may have (what archive._warc.iter_payloads reads back).
CAPTURE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Pages a links-mode crawl (no sitemap) follows at most, when max_pages is not given.
MAX_LINK_PAGES = 10_000
WARC_PREFIX = "crawl"
_CRAWL_WARC = re.compile(r"^crawl-(?P<run>\d{8}T\d{6}Z-[0-9a-f]{8})-\d{14}-\d+\.warc(\.gz)?$")

# -- progress ------------------------------------------------------------------------

_PROGRESS: Callable[[str, int, int], None] | None = None


def set_progress_hook(hook: Callable[[str, int, int], None] | None) -> None:
    """Call `hook(stage, done, total)` as the crawl advances (in this process only).

    Stages: 'plan' (total = pages to fetch), 'fetch' (per page, when fetch tasks run
    in this process; else per batch), 'done'.
    """
    global _PROGRESS
    _PROGRESS = hook


def _progress(stage: str, done: int, total: int) -> None:
    hook = _PROGRESS
    if hook is not None:
        try:
            hook(stage, done, total)
        except Exception:  # noqa: BLE001 - a display problem must not stop a crawl
            log.debug("progress hook failed", exc_info=True)


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a flow/task run, else this module's logger."""
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:  # noqa: BLE001 - MissingContextError outside Prefect
        return log


# -- what the tasks are handed ---------------------------------------------------------


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
class ParseItem:
    """One archived page payload waiting for the parser."""

    url: str | None
    observed_at: datetime
    content_type: str
    payload: bytes
    payload_digest: str
    payload_bytes: int
    http_status: int | None
    warc_path: str | None
    warc_offset: int | None
    warc_length: int | None
    warc_record_id: str | None
    source: str
    source_ref: str | None


@dataclass
class BatchResult:
    """What one fetch batch did: rows (as journaled), payloads to parse, links found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    parse: list[ParseItem] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    not_before: float = 0.0


@dataclass
class DiscoverResult:
    """Discovery's findings plus the rows of its robots/sitemap/start fetches."""

    mode: str
    robots: RobotsPolicy
    pages: dict[str, datetime | None]
    other: list[str]
    rows: list[dict[str, Any]]
    not_before: float
    sitemap_errors: list[tuple[str, str]]


# -- WARC writers: one per run per process --------------------------------------------

_WRITERS: dict[str, tuple[WarcWriter, threading.Lock]] = {}
_WRITERS_LOCK = threading.Lock()


def _writer(spec: RunSpec) -> tuple[WarcWriter, threading.Lock]:
    """This process's WARC writer for the run (one file per run per process, rotated by
    size). Kept open across batches so a run fills one file, not one per batch."""
    with _WRITERS_LOCK:
        found = _WRITERS.get(spec.run_id)
        if found is None:
            found = (
                WarcWriter(spec.archive_dir, prefix=f"{WARC_PREFIX}-{spec.run_id}",
                           max_bytes=spec.warc_max_bytes),
                threading.Lock(),
            )
            _WRITERS[spec.run_id] = found
        return found


def close_writers(run_id: str | None = None) -> None:
    """Close this process's WARC writers (of one run, or all)."""
    with _WRITERS_LOCK:
        for key in [k for k in _WRITERS if run_id is None or k == run_id]:
            writer, lock = _WRITERS.pop(key)
            with lock:
                writer.close()


def abandon_writer(run_id: str) -> None:
    """After an error mid-batch: close the run's writer in this process and cut any record
    it left half-written, so a retried task starts a clean file and every file reads back."""
    with _WRITERS_LOCK:
        found = _WRITERS.pop(run_id, None)
    if found is None:
        return
    writer, lock = found
    with lock:
        path = writer.path
        writer.close()
        if path is not None and path.exists():
            repair_warc(path)


def run_warcs(archive_dir: Path, run_id: str) -> list[Path]:
    """The WARC files of one run, in name order."""
    return sorted(Path(archive_dir).glob(f"{WARC_PREFIX}-{run_id}-*.warc*"))


# -- archiving one fetch ---------------------------------------------------------------


def _base_row(spec: RunSpec, result: FetchResult) -> dict[str, Any]:
    return {
        "run_id": spec.run_id,
        "url": result.url,
        "kind": result.kind,
        "outcome": result.outcome,
        "reason": result.reason,
        "http_status": result.status,
        "attempts": result.attempts,
        "requests": result.requests,
        "bytes_received": result.bytes_received,
        "elapsed_ms": round(result.elapsed_ms, 3),
        "fetched_at": result.fetched_at,
        "final_url": result.final_url,
        "conditional": result.conditional,
        "etag": result.etag,
        "last_modified": result.last_modified,
    }


def _set_location(row: dict[str, Any], spec: RunSpec, rec: ArchivedRecord, kind: str) -> None:
    row.update(warc_path=spec.relpath(rec.path), warc_offset=rec.offset,
               warc_length=rec.length, warc_record_id=rec.record_id, warc_record_type=kind)


def archive_fetch(
    writer: WarcWriter, spec: RunSpec, result: FetchResult, item: PlanItem | None
) -> tuple[dict[str, Any], ParseItem | None]:
    """Write a fetch's exchanges to the WARC and return its crawl_fetch row and, for a
    new payload, the item to parse.

    Every hop gets a request and a response record; the final response of a page is a
    revisit record instead when it is a 304 or its payload digest equals the previous
    capture's. The records of the fetch are synced to disk together (one fsync) before
    the row is returned, so a row never names a record not on disk.
    """
    with writer.deferred_sync():
        return _archive_fetch(writer, spec, result, item)


def _archive_fetch(
    writer: WarcWriter, spec: RunSpec, result: FetchResult, item: PlanItem | None
) -> tuple[dict[str, Any], ParseItem | None]:
    from parsers import is_comparison_url

    row = _base_row(spec, result)
    if item is not None:
        row.update(sitemap_lastmod=item.sitemap_lastmod, in_sitemap=item.in_sitemap)
    parse: ParseItem | None = None
    final = result.final
    for ex in result.exchanges:
        date = spec.stamp(ex.date)
        req = writer.write_request(ex.url, headers=ex.request_headers, date=date)
        is_final = ex is final
        refers = (
            item is not None and is_final and result.kind == "page"
            and item.prev_capture_record_id and item.prev_capture_url
            and item.prev_capture_observed_at and item.prev_digest
        )
        if refers and ex.status == 304:
            assert item is not None and item.prev_digest and item.prev_capture_record_id
            rec = writer.write_revisit(
                ex.url, refers_to_record_id=item.prev_capture_record_id,
                refers_to_url=item.prev_capture_url or ex.url,
                refers_to_date=item.prev_capture_observed_at or date,
                payload_digest=item.prev_digest, status=ex.status,
                headers=ex.response_headers, date=date,
            )
            _set_location(row, spec, rec, "revisit")
            continue
        if refers and result.outcome == "fetched":
            from archive._warc import payload_digest

            assert item is not None
            if payload_digest(ex.body) == item.prev_digest:
                rec = writer.write_revisit(
                    ex.url, refers_to_record_id=item.prev_capture_record_id or "",
                    refers_to_url=item.prev_capture_url or ex.url,
                    refers_to_date=item.prev_capture_observed_at or date,
                    payload_digest=item.prev_digest, status=ex.status,
                    headers=ex.response_headers, date=date,
                )
                _set_location(row, spec, rec, "revisit")
                row.update(change="unchanged", payload_digest=item.prev_digest,
                           capture_id=item.prev_capture_id)
                continue
        rec = writer.write_response(
            ex.url, status=ex.status, reason=ex.reason, headers=ex.response_headers,
            body=ex.body, date=date, concurrent_to=req.record_id,
        )
        if not is_final:
            continue
        _set_location(row, spec, rec, "response")
        if result.kind != "page":
            continue
        if result.outcome == "fetched":
            content_type = result.content_type or "text/html"
            if content_type not in CAPTURE_TYPES:
                row.update(outcome="failed", reason="bad_content_type")
                continue
            if not is_comparison_url(ex.url):
                row.update(outcome="failed", reason="redirect_not_comparison")
                continue
            cid = capture_id(ex.url, date, rec.payload_digest)
            row.update(
                change="changed" if item is not None and item.prev_digest else "new",
                payload_digest=rec.payload_digest, capture_id=cid,
            )
            parse = ParseItem(
                url=ex.url, observed_at=date, content_type=content_type,
                payload=result.body or b"", payload_digest=rec.payload_digest,
                payload_bytes=len(ex.body), http_status=ex.status,
                warc_path=spec.relpath(rec.path), warc_offset=rec.offset,
                warc_length=rec.length, warc_record_id=rec.record_id,
                source="crawl", source_ref=spec.run_id,
            )
    if result.outcome == "not_modified" and item is not None:
        row.update(payload_digest=item.prev_digest, capture_id=item.prev_capture_id,
                   etag=result.etag or item.etag,
                   last_modified=result.last_modified or item.last_modified)
    return row, parse


# -- tasks (plain functions; wrapped as Prefect tasks below) -------------------------


def _run_async(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def discover_site(spec: RunSpec, cached_robots: str | None = None,
                  not_before: float = 0.0,
                  cached_sitemaps: dict[str, dict[str, Any]] | None = None) -> DiscoverResult:
    """Fetch robots.txt and the sitemaps (conditionally, when fetched before: a 304 reads
    the archived copy), archive them, and list the pages found."""
    from archive._warc import read_record_payload
    from crawler._discovery import discover, fetch_robots

    def read_cached(entry: Any) -> bytes:
        return read_record_payload(Path(spec.data_dir) / entry["warc_path"],
                                   int(entry["warc_offset"]))

    async def go() -> DiscoverResult:
        writer, lock = _writer(spec)
        async with Fetcher(spec.base_url, spec.config, not_before=not_before) as fetcher:
            policy, robots_result = await fetch_robots(fetcher, spec.base_url,
                                                       cached_text=cached_robots)
            found = await discover(fetcher, spec.base_url, robots=policy,
                                   cached=cached_sitemaps, read_cached=read_cached)
            rows = []
            for result in [robots_result, *found.fetches]:
                with lock:
                    row, _ = archive_fetch(writer, spec, result, None)
                rows.append(row)
            return DiscoverResult(
                mode=found.mode, robots=policy, pages=found.pages, other=found.other,
                rows=rows, not_before=fetcher.limiter.next_start,
                sitemap_errors=found.sitemap_errors,
            )

    try:
        return _run_async(go())
    except BaseException:
        abandon_writer(spec.run_id)
        raise


def fetch_batch(spec: RunSpec, items: Sequence[PlanItem], not_before: float = 0.0) -> BatchResult:
    """Fetch and archive one batch of pages; journal each outcome as it lands.

    URLs the journal already has (a retried task) are not fetched again: their journaled
    rows are returned instead.
    """
    from crawler._discovery import extract_links, in_scope_pages

    journaled = read_journal(spec.journal) if _is_task_retry() else {}
    out = BatchResult(not_before=not_before)
    todo = []
    for item in items:
        if item.url in journaled:
            out.rows.append(journaled[item.url])
        else:
            todo.append(item)
    if not todo:
        return out
    writer, lock = _writer(spec)
    scope = Scope(spec.base_url)
    total = len(todo)

    async def go() -> None:
        done = 0
        with Journal(spec.journal) as journal:
            async with Fetcher(spec.base_url, spec.config, robots=spec.robots,
                               not_before=not_before) as fetcher:

                async def one(item: PlanItem) -> None:
                    nonlocal done
                    result = await fetcher.fetch(item.url, etag=item.etag,
                                                 last_modified=item.last_modified,
                                                 accept_types=CAPTURE_TYPES)
                    # WARC records first (fsynced), then the journal line. Inline: the
                    # writes take ~0.4 ms a page, and a writer thread only adds GIL hops.
                    with lock:
                        row, parse = archive_fetch(writer, spec, result, item)
                        journal.append(row)
                    out.rows.append(row)
                    if parse is not None:
                        out.parse.append(parse)
                        if spec.follow_links:
                            out.links.extend(
                                in_scope_pages(extract_links(parse.payload, parse.url), scope)
                            )
                    done += 1
                    _progress("fetch-page", done, total)

                await asyncio.gather(*(one(item) for item in todo))
                out.not_before = fetcher.limiter.next_start

    try:
        _run_async(go())
    except BaseException:
        abandon_writer(spec.run_id)
        raise
    return out


def _is_task_retry() -> bool:
    """Is this a Prefect task run's second (or later) try? (False outside Prefect.)"""
    try:
        from prefect.context import TaskRunContext

        ctx = TaskRunContext.get()
    except Exception:  # noqa: BLE001 - no Prefect context
        return False
    return bool(ctx is not None and ctx.task_run.run_count > 1)


def parse_batch(items: Sequence[ParseItem], parser_version: str) -> list[CaptureRecord]:
    """Parse archived payloads into CaptureRecords (a bad page becomes an error record)."""
    from flows.ingest import InputPayload, parse_payload

    records = []
    for item in items:
        parsed = parse_payload(
            InputPayload(
                input=item.warc_path or item.url or "", label=item.url or "", url=item.url,
                observed_at=item.observed_at, content_type=item.content_type,
                payload=item.payload, raw_payload=b"", payload_digest=item.payload_digest,
                http_status=item.http_status,
            )
        )
        records.append(
            CaptureRecord(
                url=item.url, observed_at=item.observed_at, source=item.source,
                source_ref=item.source_ref, http_status=item.http_status,
                content_type=item.content_type, payload_digest=item.payload_digest,
                payload_bytes=item.payload_bytes, warc_path=item.warc_path,
                warc_offset=item.warc_offset, warc_length=item.warc_length,
                warc_record_id=item.warc_record_id, parser_version=parser_version,
                page=parsed.page, error=parsed.error,
            )
        )
    return records


_TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
discover_task = task(discover_site, name="discover", retries=2, retry_delay_seconds=2,
                     **_TASK_OPTS)
fetch_task = task(fetch_batch, name="fetch-batch", retries=2, retry_delay_seconds=2,
                  **_TASK_OPTS)
parse_task = task(parse_batch, name="parse-batch", retries=1, retry_delay_seconds=1,
                  **_TASK_OPTS)


# -- executors: Prefect task runner, or plain threads --------------------------------


class _Executor:
    """Submit stage functions: as Prefect tasks (in a flow) or to a thread pool.

    `parallel_parse`: parse batches run beside the next fetch batch. Only worth it when
    they run in other processes: in threads, a CPU-bound parse beside the fetch's event
    loop makes both slower (the loop waits for the GIL after every socket operation).
    """

    parallel_parse = False

    def submit(self, name: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        """Release the executor's resources."""


class _PrefectExecutor(_Executor):
    _TASKS = {"discover": discover_task, "fetch": fetch_task, "parse": parse_task}

    def __init__(self, runner: Any | None, *, parallel_parse: bool = False) -> None:
        self.runner = runner
        self.parallel_parse = parallel_parse

    def submit(self, name: str, **kwargs: Any) -> Any:
        t = self._TASKS[name]
        if self.runner is None:
            return t.submit(**kwargs)
        return self.runner.submit(t, kwargs)


class _ThreadExecutor(_Executor):
    """Threads for discover and fetch; with `parse_processes`, parse batches go to a pool
    of that many worker processes (started lazily, from a forkserver), so parsing runs
    beside the fetch's event loop instead of competing with it for the GIL."""

    _FUNCS = {"discover": discover_site, "fetch": fetch_batch, "parse": parse_batch}

    def __init__(self, parse_processes: int = 0) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="crawl")
        self.parse_processes = parse_processes
        self.parallel_parse = parse_processes > 0
        self._procs: concurrent.futures.ProcessPoolExecutor | None = None

    def submit(self, name: str, **kwargs: Any) -> Any:
        if name == "parse" and self.parse_processes > 0:
            if self._procs is None:
                import multiprocessing

                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["flows.crawl"])  # imported once, not per worker
                self._procs = concurrent.futures.ProcessPoolExecutor(
                    self.parse_processes, mp_context=ctx)
            return self._procs.submit(parse_batch, **kwargs)
        return self.pool.submit(self._FUNCS[name], **kwargs)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        if self._procs is not None:
            self._procs.shutdown(wait=True, cancel_futures=True)
            self._procs = None


# -- the pipeline ----------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlParams:
    """The knobs of one crawl (see :func:`nightly_crawl`)."""

    base_url: str = _config.LIVE_BASE_URL
    data_dir: str | None = None
    observed_at: datetime | None = None
    rate: float | None = None
    concurrency: int | None = None
    max_pages: int | None = None
    recheck_days: int = 7
    obey_robots: bool = True
    batch_size: int = 100
    fetch_options: dict[str, Any] | None = None
    warc_max_bytes: int = 1 << 30

    def fetch_config(self) -> FetchConfig:
        """The FetchConfig: live-site defaults, then rate/concurrency/robots, then the
        fetch_options overrides (timeouts, retries, caps…)."""
        cfg = FetchConfig(
            rate=_config.LIVE_RATE_PER_SECOND if self.rate is None else (self.rate or None),
            concurrency=self.concurrency or 2,
            obey_robots=self.obey_robots,
        )
        return replace(cfg, **(self.fetch_options or {}))


def _validate(params: CrawlParams) -> None:
    scope = Scope(params.base_url)  # raises on a bad base URL
    if not params.obey_robots and not scope.target_is_private:
        raise ValueError("ignoring robots.txt is only allowed for a crawl of a loopback/"
                         "private test server, not " + params.base_url)
    if params.rate == 0 and not scope.target_is_private:
        raise ValueError("an unlimited rate is only allowed for a loopback/private test "
                         "server, not " + params.base_url)
    if params.batch_size < 1:
        raise ValueError("batch_size must be at least 1")


def _parser_version() -> str:
    from flows.ingest import parser_version

    return parser_version()


def _cached_robots(con: Any, data: Path, base_url: str) -> str | None:
    """The body of the last robots.txt fetched with a 200, read back from the WARC."""
    from archive._warc import read_record_payload

    row = state.latest_fetch(con, normalize_url(robots_url(base_url)))
    if not row or not row.get("warc_path") or row.get("http_status") != 200:
        return None
    try:
        body = read_record_payload(data / row["warc_path"], int(row["warc_offset"]))
    except Exception:  # noqa: BLE001 - a missing cache is not an error
        return None
    return body.decode("utf-8", "replace")


def recover_run(con: Any, spec: RunSpec) -> dict[str, int]:
    """Bring the warehouse level with the disk for a run that was interrupted.

    1. repair the run's WARC files (cut a record torn by the crash);
    2. load journal rows the warehouse lacks;
    3. rebuild rows from WARC records that have no journal line (a crash between the
       two writes): response → fetched/gone/failed, revisit → not_modified/unchanged;
    4. re-parse from the WARC the new captures whose capture row is missing.
    Returns counts of what was done.
    """
    from parsers import is_comparison_url

    data = Path(spec.data_dir)
    counts = {"bytes_cut": 0, "journal_rows": 0, "warc_rows": 0, "captures": 0}
    files = run_warcs(spec.archive_dir, spec.run_id)
    for path in files:
        counts["bytes_cut"] += repair_warc(path)
    known = state.run_fetches(con, spec.run_id, kind=None)
    journal = read_journal(spec.journal)
    missing = [row for url, row in journal.items() if url not in known]
    counts["journal_rows"] = state.record_fetches(con, missing)
    covered = set(known) | set(journal)
    covered |= {r.get("final_url") for r in journal.values() if r.get("final_url")}
    covered |= {r.get("final_url") for r in known.values() if r.get("final_url")}
    rebuilt: list[dict[str, Any]] = []
    states = None
    for path in files:
        for record, offset, length, _raw in iter_records(path):
            rec_type = record.rec_type  # type: ignore[attr-defined]
            if rec_type not in ("response", "revisit"):
                continue
            headers = record.rec_headers  # type: ignore[attr-defined]
            url = headers.get_header("WARC-Target-URI") or ""
            if url in covered or not is_comparison_url(url):
                continue
            http = record.http_headers  # type: ignore[attr-defined]
            status = int(http.get_statuscode()) if http is not None else None
            if status in (301, 302, 303, 307, 308):
                continue  # a hop: the page itself was not finished
            if states is None:
                states = state.url_states(con)
            prev = states.get(url)
            digest = headers.get_header("WARC-Payload-Digest")
            date = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
            row: dict[str, Any] = {
                "run_id": spec.run_id, "url": url, "kind": "page", "final_url": url,
                "http_status": status, "attempts": 1, "requests": 1, "fetched_at": date,
                "etag": http.get_header("etag") if http else None,
                "last_modified": http.get_header("last-modified") if http else None,
                "in_sitemap": True, "warc_path": spec.relpath(path), "warc_offset": offset,
                "warc_length": length, "warc_record_id": headers.get_header("WARC-Record-ID"),
                "warc_record_type": rec_type,
            }
            ctype = media_type(http.get_header("content-type")) if http else None
            if rec_type == "revisit":
                prev_cid = prev.capture_id if prev else None
                row.update(outcome="not_modified" if status == 304 else "fetched",
                           change=None if status == 304 else "unchanged",
                           conditional=status == 304, payload_digest=digest,
                           capture_id=prev_cid)
            elif status == 200 and ctype in CAPTURE_TYPES:
                row.update(outcome="fetched", payload_digest=digest,
                           change="changed" if prev and prev.payload_digest else "new",
                           capture_id=capture_id(url, date, digest))
            elif status in (404, 410):
                row.update(outcome="gone")
            else:
                row.update(outcome="failed", reason=f"http_{status}")
            rebuilt.append(row)
            covered.add(url)
    counts["warc_rows"] = state.record_fetches(con, rebuilt)
    lost = state.missing_captures(con, spec.run_id)
    if lost:
        items = [_parse_item_from_warc(spec, data, row) for row in lost]
        records = parse_batch([i for i in items if i is not None], spec.parser_version)
        counts["captures"] = load_captures(con, records).captures_new
    return counts


def _parse_item_from_warc(spec: RunSpec, data: Path, row: dict[str, Any]) -> ParseItem | None:
    """The ParseItem of a fetch row's response record, read straight from its offset."""
    from warcio.archiveiterator import ArchiveIterator

    from archive._warc import read_record_payload

    path, offset = data / row["warc_path"], int(row["warc_offset"])
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh, check_digests="raise")))
            headers, http = record.rec_headers, record.http_headers
            raw = record.raw_stream.read()
        if record.rec_type != "response" or http is None:
            return None
        date = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
        return ParseItem(
            url=headers.get_header("WARC-Target-URI") or row["final_url"] or row["url"],
            observed_at=date,
            content_type=media_type(http.get_header("content-type")) or "text/html",
            payload=read_record_payload(path, offset),
            payload_digest=headers.get_header("WARC-Payload-Digest") or row["payload_digest"],
            payload_bytes=len(raw), http_status=int(http.get_statuscode()),
            warc_path=row["warc_path"], warc_offset=offset, warc_length=row["warc_length"],
            warc_record_id=headers.get_header("WARC-Record-ID"), source="crawl",
            source_ref=spec.run_id,
        )
    except (OSError, StopIteration, ValueError) as exc:
        _logger().warning("cannot read %s@%s back: %s", path, offset, exc)
        return None


def run_pipeline(params: CrawlParams, executor: _Executor, *, artifact: bool = False
                 ) -> dict[str, Any]:
    """The crawl itself, driven through `executor` (Prefect tasks or threads)."""
    _validate(params)
    logger = _logger()
    if logging.getLogger("httpx").level == logging.NOTSET:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    t0 = time.perf_counter()
    data = settings.data_dir(params.data_dir).resolve()
    base_url = normalize_url(params.base_url).rstrip("/") or params.base_url
    version = _parser_version()
    con = connect(settings.db_path(data))
    run_id = None
    try:
        run_id, run_observed, resumed = state.open_run(
            con, base_url=base_url, observed_at=params.observed_at, parser_version=version
        )
        spec = RunSpec(
            run_id=run_id, base_url=base_url, data_dir=str(data), observed_at=run_observed,
            simulated=params.observed_at is not None, config=params.fetch_config(),
            parser_version=version, warc_max_bytes=params.warc_max_bytes,
        )
        logger.info("crawl run %s of %s (%s)", run_id, base_url,
                    "resumed" if resumed else "new")
        not_before = 0.0
        if resumed:
            counts = recover_run(con, spec)
            logger.info("recovered run %s: %s", run_id, counts)
            not_before = time.time() + spec.config.interval(None)

        # discover
        cached = _cached_robots(con, data, base_url)
        found: DiscoverResult = executor.submit(
            "discover", spec=spec, cached_robots=cached, not_before=not_before,
            cached_sitemaps=state.sitemap_cache(con),
        ).result()
        not_before = found.not_before
        state.record_fetches(con, found.rows)
        state.set_discovery(con, run_id, found.mode)
        spec = replace(spec, robots=found.robots, follow_links=found.mode == "links")
        logger.info("discovery: %s mode, %d pages, %d other URLs, robots %s (crawl-delay %s)",
                    found.mode, len(found.pages), len(found.other), found.robots.mode,
                    found.robots.crawl_delay)

        # plan
        done_rows = state.run_fetches(con, run_id)
        already = sum(1 for r in done_rows.values() if r["requests"])
        max_pages = params.max_pages
        if max_pages is None and found.mode == "links":
            max_pages = MAX_LINK_PAGES
        remaining = None if max_pages is None else max(0, max_pages - already)
        plan = make_plan(
            found.pages, state.url_states(con), run_id=run_id, observed_at=run_observed,
            recheck_days=params.recheck_days, done=done_rows, max_pages=remaining,
            allowed=lambda u: (not spec.config.obey_robots) or found.robots.allowed(u),
            other=found.other, sitemap_mode=found.mode == "sitemap",
        )
        state.record_fetches(con, plan.rows)
        logger.info("plan: %d pages to fetch %s", len(plan.fetch), plan.counts())

        # fetch → archive → parse → load, batch after batch
        frontier = deque(plan.fetch)
        seen = set(done_rows) | {i.url for i in plan.fetch} | {r["url"] for r in plan.rows}
        total = len(plan.fetch)
        fetched = 0
        _progress("plan", 0, total)
        parse_futures: list[Any] = []
        fetch_future = None

        def next_batch() -> list[PlanItem]:
            batch = []
            while frontier and len(batch) < params.batch_size:
                batch.append(frontier.popleft())
            return batch

        def load_parsed(wait_all: bool) -> None:
            keep = []
            for fut in parse_futures:
                if wait_all or _done(fut):
                    load_captures(con, fut.result())
                else:
                    keep.append(fut)
            parse_futures[:] = keep

        batch = next_batch()
        if batch:
            fetch_future = executor.submit("fetch", spec=spec, items=batch, not_before=not_before)
        while fetch_future is not None:
            result: BatchResult = fetch_future.result()
            not_before = result.not_before
            rows = list(result.rows)
            fetched += len(rows)
            if spec.follow_links and result.links:
                for link in result.links:
                    if link in seen or (remaining is not None and total >= remaining):
                        continue
                    seen.add(link)
                    if spec.config.obey_robots and not found.robots.allowed(link):
                        rows.append({"run_id": run_id, "url": link, "kind": "page",
                                     "outcome": "disallowed", "reason": "robots",
                                     "in_sitemap": True})
                        continue
                    frontier.append(PlanItem(url=link, why="link"))
                    total += 1
            records = None
            if result.parse:
                future = executor.submit("parse", items=result.parse, parser_version=version)
                if executor.parallel_parse:
                    parse_futures.append(future)  # loaded while the next batch fetches
                else:
                    records = future.result()  # CPU: not beside the fetch (GIL)
            batch = next_batch()
            fetch_future = (
                executor.submit("fetch", spec=spec, items=batch, not_before=not_before)
                if batch else None
            )
            # the warehouse writes (mostly DuckDB's C++, off the GIL) overlap the next batch
            state.record_fetches(con, rows)
            if records:
                load_captures(con, records)
            load_parsed(wait_all=False)
            _progress("fetch", fetched, total)
            logger.info("fetched %d/%d pages", fetched, total)
        load_parsed(wait_all=True)

        # anything a crash-and-retry left behind (e.g. a task retried after writing)
        lost = state.missing_captures(con, run_id)
        if lost:
            items = [_parse_item_from_warc(spec, data, row) for row in lost]
            load_captures(con, parse_batch([i for i in items if i], version))

        state.finish_run(con, run_id)
        close_writers(run_id)
        with contextlib.suppress(FileNotFoundError):
            spec.journal.unlink()
        _publish_snapshot(con, settings.db_path(data))
        summary = build_summary(con, run_id, elapsed=time.perf_counter() - t0,
                                sitemap_errors=found.sitemap_errors)
        _progress("done", fetched, total)
        logger.info("crawl %s finished: %s", run_id, {
            k: summary["counts"][k] for k in ("fetched", "not_modified", "new_pages",
                                              "changed", "failed", "requests")})
        if artifact:
            _publish_artifact(summary)
        return summary
    except BaseException as exc:
        if run_id is not None:
            close_writers(run_id)
            with contextlib.suppress(Exception):  # keep the original error
                con.execute("UPDATE crawl_run SET error = ? WHERE run_id = ?",
                            [f"{type(exc).__name__}: {exc}"[:500], run_id])
        raise
    finally:
        con.close()


def _publish_snapshot(con: Any, db: Path) -> None:
    """Refresh the analysts' read-only snapshot (warehouse.snapshot) after a run; a failure
    is logged, not raised: the run itself is done and recorded."""
    try:
        from warehouse.snapshot import publish_snapshot

        publish_snapshot(db, con)
    except Exception as exc:  # noqa: BLE001
        _logger().warning("could not publish the read-only snapshot: %s", exc)


def _done(fut: Any) -> bool:
    """Has a future finished? (Prefect futures wrap a concurrent/distributed one; asking
    that one costs no API call.)"""
    inner = getattr(fut, "wrapped_future", fut)
    done = getattr(inner, "done", None)
    if callable(done):
        return bool(done())
    return bool(fut.state.is_final())


# -- summary ---------------------------------------------------------------------------

_COUNT_KEYS = ("urls", "fetched", "not_modified", "new_pages", "changed", "unchanged", "gone",
               "failed", "disallowed", "out_of_scope", "skipped", "requests", "bytes_received")


def build_summary(con: Any, run_id: str, *, elapsed: float | None = None,
                  sitemap_errors: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The figures of a run: counts, failures by reason, verdict changes, markdown."""
    row = state.run_summary(con, run_id)
    counts = {k: int(row[k]) for k in _COUNT_KEYS}
    failures = [
        {"kind": kind, "reason": reason, "count": int(n)}
        for kind, reason, n in state.run_failures(con, run_id)
    ]
    examples = dict(
        con.execute(
            "SELECT reason, min(url) FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed' "
            "GROUP BY reason", [run_id]
        ).fetchall()
    )
    changes = state.verdict_changes(con, run_id)
    summary = {
        "run_id": run_id,
        "base_url": row["base_url"],
        "observed_at": row["observed_at"].isoformat(),
        "status": row["status"],
        "discovery": row["discovery"],
        "starts": int(row["starts"]),
        "elapsed_s": round(elapsed, 3) if elapsed is not None else None,
        "counts": counts,
        "failures": failures,
        "verdict_changes": [{k: _jsonable(v) for k, v in c.items()} for c in changes],
        "sitemap_errors": [list(e) for e in sitemap_errors],
    }
    summary["markdown"] = summary_markdown(summary, examples)
    return summary


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: dict[str, Any], examples: dict[str, str] | None = None) -> str:
    """The run's summary as the markdown of its Prefect artifact."""
    c = summary["counts"]
    lines = [
        f"# Nightly crawl {summary['run_id']}",
        "",
        f"- site: {summary['base_url']} (discovery: {summary['discovery']})",
        f"- night (observed_at): {summary['observed_at']}",
        f"- status: {summary['status']}, starts: {summary['starts']}"
        + (f", took {summary['elapsed_s']:.1f} s" if summary.get("elapsed_s") else ""),
        f"- requests: {c['requests']}, body bytes received: {c['bytes_received']:,}",
        "",
        "| pages | fetched | 304 | new | changed | unchanged | gone | failed | disallowed "
        "| skipped | out of scope |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {c['urls']} | {c['fetched']} | {c['not_modified']} | {c['new_pages']} | "
        f"{c['changed']} | {c['unchanged']} | {c['gone']} | {c['failed']} | "
        f"{c['disallowed']} | {c['skipped']} | {c['out_of_scope']} |",
        "",
        "## Failed (retried by the next run)",
        "",
    ]
    if summary["failures"]:
        lines += ["| kind | reason | count | example |", "|---|---|---:|---|"]
        for f in summary["failures"]:
            example = (examples or {}).get(f["reason"], "")
            lines.append(f"| {f['kind']} | {_md(f['reason'])} | {f['count']} | {_md(example)} |")
    else:
        lines.append("None.")
    lines += ["", "## Verdicts that changed tonight", ""]
    changes = summary["verdict_changes"]
    if changes:
        lines += ["| page | tool | what | field | before | after |", "|---|---|---|---|---|---|"]
        for ch in changes[:200]:
            lines.append(
                f"| {_md(ch['url'])} | {_md(ch['tool_slug'])} | {ch['what']}: "
                f"{_md(ch['subject'])} | {ch['field']} | {_md(ch['old_value'])} | "
                f"{_md(ch['new_value'])} |"
            )
        if len(changes) > 200:
            lines.append(f"| … | {len(changes) - 200} more | | | | |")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def _publish_artifact(summary: dict[str, Any]) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=summary["markdown"], key="nightly-crawl-summary",
        description=f"Crawl {summary['run_id']} of {summary['base_url']}",
    )


# -- entry points ----------------------------------------------------------------------


def _task_runner(name: str | None, dask_workers: int, dask_processes: bool) -> Any | None:
    if name in (None, "", "thread", "threads"):
        return None
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={"n_workers": dask_workers, "processes": dask_processes,
                            "threads_per_worker": 2, "host": "127.0.0.1",
                            "dashboard_address": None, "silence_logs": logging.WARNING},
        )
    raise ValueError(f"task_runner must be 'thread' or 'dask', got {name!r}")


@flow(name="nightly-crawl", persist_result=False, log_prints=False)
def nightly_crawl(
    base_url: str = _config.LIVE_BASE_URL,
    *,
    data_dir: str | None = None,
    observed_at: datetime | None = None,
    rate: float | None = None,
    concurrency: int | None = None,
    max_pages: int | None = None,
    recheck_days: int = 7,
    task_runner: str | None = None,
    obey_robots: bool = True,
    batch_size: int = 100,
    fetch_options: dict[str, Any] | None = None,
    dask_workers: int = 2,
    dask_processes: bool = True,
) -> dict[str, Any]:
    """Crawl the site once: discover → fetch → archive → parse → load → summary.

    `observed_at` stamps the night (for simulated nights; the fetch still happens now);
    the unfinished run for the same observed_at is resumed. `rate` (requests/s, default
    the live 1/s; 0 = unlimited for benchmarks) and `concurrency` (default 2) are per
    host; robots.txt's Crawl-delay wins over a faster rate. `task_runner` 'dask' runs
    the fetch and parse batches on a Dask LocalCluster. `fetch_options` overrides
    FetchConfig fields (timeouts, retries, size cap). Returns the summary dict and
    publishes it as a markdown artifact.
    """
    params = CrawlParams(
        base_url=base_url, data_dir=data_dir, observed_at=observed_at, rate=rate,
        concurrency=concurrency, max_pages=max_pages, recheck_days=recheck_days,
        obey_robots=obey_robots, batch_size=batch_size, fetch_options=fetch_options,
    )
    _validate(params)
    runner = _task_runner(task_runner, dask_workers, dask_processes)
    if runner is None:
        return run_pipeline(params, _PrefectExecutor(None), artifact=True)
    with runner:
        return run_pipeline(params, _PrefectExecutor(runner, parallel_parse=dask_processes),
                            artifact=True)


def crawl(base_url: str = _config.LIVE_BASE_URL, *, parse_processes: int = 1,
          **kwargs: Any) -> dict[str, Any]:
    """The same crawl as :func:`nightly_crawl`, without Prefect (plain threads, and
    `parse_processes` worker processes for parsing; 0 parses in a thread). The workers
    start from a forkserver, which imports the caller's main module: a script calling
    this needs the usual ``if __name__ == "__main__":`` guard (or parse_processes=0)."""
    params = CrawlParams(base_url=base_url, **kwargs)
    executor = _ThreadExecutor(parse_processes)
    try:
        return run_pipeline(params, executor)
    finally:
        executor.close()


# -- reparse ---------------------------------------------------------------------------


def _warc_files(archive: Path) -> list[Path]:
    return sorted(p for p in archive.glob("*.warc*") if p.name.endswith((".warc", ".warc.gz")))


def captures_from_warc(path: Path, data: Path) -> Iterator[ParseItem]:
    """The page captures held by one WARC, as the crawl or the import made them.

    Crawl WARCs (crawl-<run_id>-…): 200 HTML responses of comparison URLs, source
    'crawl', source_ref the run id. Other WARCs (imports): what `verdicts import` reads
    (200 responses and text resources), source 'import', source_ref the WARC's path.
    """
    from parsers import is_comparison_url

    rel = os.path.relpath(path, data)
    match = _CRAWL_WARC.match(path.name)
    for p in iter_payloads(path):
        if match:
            if p.record_type != "response" or p.http_status != 200:
                continue
            if not p.url or not is_comparison_url(p.url):
                continue
        elif p.http_status is not None and p.http_status != 200:
            continue
        yield ParseItem(
            url=p.url,
            observed_at=p.date, content_type=p.content_type or "text/html",
            payload=p.payload, payload_digest=p.payload_digest,
            payload_bytes=len(p.raw_payload), http_status=p.http_status, warc_path=rel,
            warc_offset=p.offset, warc_length=p.length, warc_record_id=p.record_id,
            source="crawl" if match else "import",
            source_ref=match.group("run") if match else rel,
        )


def reparse_pipeline(data_dir: str | None, executor: _Executor, *, db: str | None = None,
                     batch_size: int = 200) -> dict[str, Any]:
    """Re-parse every page payload in the archive and reload it (replace=True)."""
    logger = _logger()
    data = settings.data_dir(data_dir).resolve()
    version = _parser_version()
    files = _warc_files(settings.archive_dir(data))
    con = connect(Path(db) if db else settings.db_path(data))
    totals: dict[str, Any] = {"warcs": len(files), "payloads": 0, "captures_new": 0,
                              "captures_existing": 0, "failures": 0, "tools": 0, "reviews": 0}
    try:
        futures = []
        for path in files:
            try:
                for chunk in batched(captures_from_warc(path, data), batch_size):
                    totals["payloads"] += len(chunk)
                    futures.append(executor.submit("parse", items=chunk,
                                                   parser_version=version))
            except Exception as exc:  # noqa: BLE001 - a torn/corrupt file: keep the rest
                totals.setdefault("unreadable", []).append(f"{path.name}: {exc}")
                logger.warning("reparse: %s unreadable past some point: %s", path, exc)
        for fut in futures:
            s = load_captures(con, fut.result(), replace=True)
            for key in ("captures_new", "captures_existing", "failures", "tools", "reviews"):
                totals[key] += getattr(s, key)
        logger.info("reparse with parser %s: %s", version, totals)
        _publish_snapshot(con, Path(db) if db else settings.db_path(data))
    finally:
        con.close()
    totals["parser_version"] = version
    return totals


@flow(name="reparse-archive", persist_result=False)
def reparse_archive(data_dir: str | None = None, *, db: str | None = None,
                    batch_size: int = 200) -> dict[str, Any]:
    """Rebuild the warehouse's parsed tables from the WARCs alone (no fetching).

    Every capture in the archive is parsed again with the current parser and loaded with
    ``load_captures(..., replace=True)``; `db` loads into another warehouse file (e.g. a
    fresh one, to check the archive alone rebuilds it).
    """
    return reparse_pipeline(data_dir, _PrefectExecutor(None), db=db, batch_size=batch_size)


def reparse(data_dir: str | None = None, *, db: str | None = None) -> dict[str, Any]:
    """:func:`reparse_archive` without Prefect."""
    executor = _ThreadExecutor()
    try:
        return reparse_pipeline(data_dir, executor, db=db)
    finally:
        executor.close()
