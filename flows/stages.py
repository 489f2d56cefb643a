"""The crawl's worker stages: discover the site, fetch and archive a batch of pages.

Plain functions of picklable arguments, so the same code runs as Prefect tasks
(:mod:`flows.nightly`), in threads (:mod:`flows.executors`) or on Dask workers. Parsing
is :func:`flows.payloads.parse_batch`.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from archive import Journal, WarcWriter, read_journal, read_record_payload
from crawler import (
    Fetcher,
    FetchRow,
    HostBreaker,
    PageSlots,
    PlanItem,
    Reason,
    RobotsPolicy,
    Scope,
    discover,
    extract_links,
    fetch_robots,
    in_scope_pages,
    run_async,
)
from flows.archiver import Archiver, Committed
from flows.archiving import RunSpec, archive_fetch
from flows.payloads import Payload
from flows.progress import is_task_retry, progress, run_logger
from flows.writers import abandon_writer, run_writer

__all__ = ["BatchResult", "DiscoverResult", "discover_site", "fetch_batch", "run_breaker"]

#: Each run's circuit breaker, shared by its discover and fetch stages in this process, so
#: a host that stopped answering in one batch is not tried again by the next (the last
#: few runs only: a served deployment lives for many nights).
_BREAKERS: OrderedDict[str, HostBreaker] = OrderedDict()
_BREAKERS_LOCK = threading.Lock()
_KEEP_BREAKERS = 8
_REPORTED: set[str] = set()  # runs whose host_down has been logged


def run_breaker(spec: RunSpec) -> HostBreaker:
    """The circuit breaker of `spec`'s run (made on first use)."""
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(spec.run_id)
        if breaker is None:
            breaker = HostBreaker(threshold=spec.config.breaker_threshold)
            _BREAKERS[spec.run_id] = breaker
            while len(_BREAKERS) > _KEEP_BREAKERS:
                gone, _ = _BREAKERS.popitem(last=False)
                _REPORTED.discard(gone)
        return breaker


def _report_host_down(spec: RunSpec, rows: Sequence[FetchRow]) -> None:
    """Log, once per run, that the host stopped answering and pages are left for later."""
    skipped = sum(1 for row in rows if row.reason == Reason.HOST_DOWN)
    if not skipped or spec.run_id in _REPORTED:
        return
    _REPORTED.add(spec.run_id)
    hosts = ", ".join(run_breaker(spec).open_hosts()) or spec.base_url
    run_logger().warning("%s does not answer: its remaining pages are not requested tonight "
                         "(skipped: host_down; the next run retries them)", hosts)


@dataclass
class BatchResult:
    """What one fetch batch did: rows (as journaled), payloads to parse, links found."""

    rows: list[FetchRow] = field(default_factory=list)
    parse: list[Payload] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    not_before: float = 0.0


@dataclass
class DiscoverResult:
    """Discovery's findings plus the rows of its robots/sitemap/start fetches."""

    mode: str
    robots: RobotsPolicy
    pages: dict[str, datetime | None]
    other: list[str]
    rows: list[FetchRow]
    not_before: float
    sitemap_errors: list[tuple[str, str]]


def discover_site(spec: RunSpec, cached_robots: str | None = None,
                  not_before: float = 0.0,
                  cached_sitemaps: dict[str, dict[str, Any]] | None = None) -> DiscoverResult:
    """Fetch robots.txt and the sitemaps (conditionally, when fetched before: a 304 reads
    the archived copy), archive them, and list the pages found."""
    try:
        return run_async(_discover(spec, cached_robots, not_before, cached_sitemaps))
    except BaseException:
        abandon_writer(spec.run_id)
        raise


async def _discover(spec: RunSpec, cached_robots: str | None, not_before: float,
                    cached_sitemaps: dict[str, dict[str, Any]] | None) -> DiscoverResult:
    def read_cached(entry: Mapping[str, Any]) -> bytes:
        return read_record_payload(Path(spec.data_dir) / entry["warc_path"],
                                   int(entry["warc_offset"]))

    writer, lock = run_writer(spec)
    async with Fetcher(spec.base_url, spec.config, not_before=not_before,
                       breaker=run_breaker(spec)) as fetcher:
        policy, robots_result = await fetch_robots(fetcher, spec.base_url,
                                                   cached_text=cached_robots)
        found = await discover(fetcher, spec.base_url, robots=policy,
                               cached=cached_sitemaps, read_cached=read_cached)
        with lock, writer.deferred_sync():  # one fsync for them all, before rows leave
            rows = [archive_fetch(writer, spec, result, None)[0]
                    for result in [robots_result, *found.fetches]]
        return DiscoverResult(
            mode=found.mode, robots=policy, pages=found.pages, other=found.other,
            rows=rows, not_before=fetcher.limiter.next_start,
            sitemap_errors=found.sitemap_errors,
        )


def fetch_batch(spec: RunSpec, items: Sequence[PlanItem], not_before: float = 0.0) -> BatchResult:
    """Fetch and archive one batch of pages; journal each outcome as it lands.

    URLs the journal already has (a retried task) are not fetched again: their journaled
    rows are returned instead.
    """
    journaled = read_journal(spec.journal) if is_task_retry() else {}
    out = BatchResult(not_before=not_before)
    todo = []
    for item in items:
        if item.url in journaled:
            out.rows.append(FetchRow.from_dict(journaled[item.url]))
        else:
            todo.append(item)
    if not todo:
        return out
    writer, lock = run_writer(spec)
    try:
        run_async(_fetch_all(spec, todo, writer, lock, out))
    except BaseException:
        abandon_writer(spec.run_id)
        raise
    _report_host_down(spec, out.rows)
    return out


async def _fetch_all(spec: RunSpec, todo: Sequence[PlanItem], writer: WarcWriter,
                     lock: threading.Lock, out: BatchResult) -> None:
    """Fetch `todo` concurrently (the fetcher keeps the host's pace), each page archived as
    it lands and synced and journaled in groups (:class:`flows.archiver.Archiver`: one
    fsync per group, in a thread); rows, payloads and links go to `out` once durable. A
    page holds one of `concurrency` slots (:class:`crawler.PageSlots`) from its request
    until it is journaled, so a kill costs at most that many pages fetched and not
    archived; a page waiting out a retry's backoff gives its slot up meanwhile,
    so pages the site keeps failing do not hold up the rest of the batch."""
    from parsers import HTML_TYPES

    scope = Scope(spec.base_url)
    done = 0
    slots = PageSlots(max(1, spec.config.concurrency))

    def committed(c: Committed) -> None:  # on the event loop, in commit order
        nonlocal done
        out.rows.append(c.row)
        if c.payload is not None:
            out.parse.append(c.payload)
            if spec.follow_links:
                page_url = c.payload.url or (c.item.url if c.item else c.row.url)
                out.links.extend(
                    in_scope_pages(extract_links(c.payload.payload, page_url), scope))
        done += 1
        progress("fetch-page", done, len(todo))

    with Journal(spec.journal) as journal, \
            Archiver(writer, lock, spec, journal, on_commit=committed) as archiver:
        async with Fetcher(spec.base_url, spec.config, robots=spec.robots,
                           not_before=out.not_before, breaker=run_breaker(spec)) as fetcher:

            async def one(item: PlanItem) -> None:
                async with slots.page() as slot:
                    result = await fetcher.fetch(item.url, etag=item.etag,
                                                 last_modified=item.last_modified,
                                                 accept_types=HTML_TYPES, sleep=slot.sleep)
                    await archiver.commit(result, item)

            await asyncio.gather(*(one(item) for item in todo))
            out.not_before = fetcher.limiter.next_start
