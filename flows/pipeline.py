"""The nightly crawl's pipeline, with or without Prefect.

:func:`run_pipeline` goes through five stages:

1. **start** a run, or resume the unfinished one of the same night (:mod:`flows.recovery`
   first brings the warehouse level with the WARCs and the journal);
2. **discover**: robots.txt, then the sitemaps (one stage task);
3. **plan**: which pages to request tonight (:func:`crawler.make_plan`), queued in a
   :class:`crawler.Frontier`;
4. **batches**: fetch + archive a batch (tasks run one after another, so the host's
   politeness budget is never shared; each page is archived as it lands, a thread syncs
   them, one fsync per group of pages, then journals them: :mod:`flows.archiver`), parse it while
   the next one fetches, and load its rows and captures (in this process, the
   warehouse's only writer), gathered over batches into writes of ~`write_rows` rows
   (:mod:`flows.batch_writes`).
   Order: WARC write → fsync → journal → rows handed back → parse → warehouse, so
   nothing downstream names a record that is not durable;
5. **finalize**: captures a retry left behind, the run's verdict on itself
   (:mod:`flows.health`), the run closed, the snapshot published, the summary.

The whole run holds the data dir's writer lock (:mod:`flows.lock`). A run that did not do
its job (site unreachable, too many failures, a parse-rate drop, the snapshot not
published) is recorded 'failed' and raises :class:`flows.health.RunFailed`; a run stopped
by an error is recorded 'failed' with :func:`flows.health.cause_line` and resumed by the
next start.

The stages run through an :class:`flows.executors.Executor`: Prefect tasks
(:func:`flows.nightly.nightly_crawl`) or threads (:func:`crawl`). Nothing here imports
Prefect.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from archive import read_record_payload
from crawler import (
    LIVE_BASE_URL,
    LIVE_RATE_PER_SECOND,
    MIN_BATCH,
    FetchConfig,
    FetchRow,
    Frontier,
    Recheck,
    make_plan,
    normalize_url,
    paced_batch_size,
    robots_url,
    unsafe_options_problem,
)
from flows import settings
from flows.archiving import RunSpec, row_dict
from flows.batch_writes import WRITE_ROWS, BatchWrites
from flows.executors import Executor, ThreadExecutor
from flows.health import RunFailed, cause_line, night_problem
from flows.lock import writer_lock
from flows.payloads import parser_version
from flows.progress import Stage, StageClock, progress, run_logger
from flows.recovery import recapture_lost, recover_run
from flows.stages import BatchResult, DiscoverResult
from flows.summary import build_summary, publish_snapshot, summary_markdown
from flows.writers import close_writers
from warehouse import connect
from warehouse import crawl_state as state

__all__ = ["MAX_LINK_PAGES", "WRITE_ROWS", "CrawlParams", "crawl", "run_pipeline", "validate"]

#: Pages a links-mode crawl (no sitemap) follows at most, when max_pages is not given.
MAX_LINK_PAGES = 10_000


@dataclass(frozen=True)
class CrawlParams:
    """The knobs of one crawl (see :func:`flows.nightly.nightly_crawl`)."""

    base_url: str = LIVE_BASE_URL
    data_dir: str | None = None
    observed_at: datetime | None = None
    rate: float | None = None
    concurrency: int | None = None
    max_pages: int | None = None
    recheck_days: int = 7
    recheck: Recheck = Recheck.SPREAD
    obey_robots: bool = True
    batch_size: int | None = None  # pages per fetch batch (None: crawler.paced_batch_size)
    write_rows: int = WRITE_ROWS  # fetch rows gathered per warehouse write
    fetch_options: dict[str, Any] | None = None
    warc_max_bytes: int = 1 << 30
    lock_wait: float = 0.0  # seconds to wait for another writer to finish (flows.lock)

    def fetch_config(self) -> FetchConfig:
        """The FetchConfig: live-site defaults, then rate/concurrency/robots, then the
        fetch_options overrides (timeouts, retries, caps…)."""
        cfg = FetchConfig(
            rate=LIVE_RATE_PER_SECOND if self.rate is None else (self.rate or None),
            concurrency=self.concurrency or 2,
            obey_robots=self.obey_robots,
        )
        return replace(cfg, **(self.fetch_options or {}))


def validate(params: CrawlParams) -> None:
    """Refuse settings meant for a test server only, or a batch or write size below 1
    (ValueError)."""
    problem = unsafe_options_problem(params.base_url, obey_robots=params.obey_robots,
                                rate=params.rate)
    if problem is not None:
        raise ValueError(problem)
    if params.batch_size is not None and params.batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if params.write_rows < 1:
        raise ValueError("write_rows must be at least 1")


@dataclass
class _Run:
    """One crawl run under way: what its stages share."""

    params: CrawlParams
    executor: Executor
    con: Any
    spec: RunSpec
    resumed: bool
    log: logging.Logger | logging.LoggerAdapter[logging.Logger]
    clock: StageClock  # since the pipeline's start; the seconds of each stage (stage_s)
    not_before: float = 0.0  # the fetcher's politeness clock, carried from stage to stage
    batch_size: int = MIN_BATCH  # pages per fetch batch, once discovery knows the pace

    @property
    def run_id(self) -> str:
        return self.spec.run_id


def run_pipeline(params: CrawlParams, executor: Executor, *,
                 publish: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The crawl itself, driven through `executor` (Prefect tasks or threads), holding the
    data dir's writer lock; returns the run's summary, after handing it to `publish` (e.g.
    a Prefect artifact). Raises :class:`RunFailed` (after recording and publishing) when
    the night did not do its job, :class:`flows.lock.LockHeld` when another writer runs."""
    validate(params)
    if logging.getLogger("httpx").level == logging.NOTSET:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    clock = StageClock()
    data = settings.data_dir(params.data_dir).resolve()
    with writer_lock(data, "crawl", wait=params.lock_wait):
        with clock.stage(Stage.OPEN):
            con = connect(settings.db_path(data))
        try:
            return _run(params, executor, con, data, clock, publish)
        finally:
            con.close()


def _run(params: CrawlParams, executor: Executor, con: Any, data: Path, clock: StageClock,
         publish: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    """The stages in order, each timed on the clock; a run stopped by an error is recorded
    'failed' with its cause."""
    run_id = None
    try:
        with clock.stage(Stage.START):
            run = _start(params, executor, con, data, clock)
            run_id = run.run_id
            if run.resumed:
                _recover(run)
        with clock.stage(Stage.DISCOVER):
            found = _discover(run)
        with clock.stage(Stage.PLAN):
            frontier = _plan(run, found)
        with clock.stage(Stage.BATCHES):
            fetched = _batches(run, frontier)
        summary = _finalize(run, found, fetched, frontier.total)
    except BaseException as exc:
        if run_id is not None:
            close_writers(run_id)
            with contextlib.suppress(Exception):  # keep the original error
                state.fail_run(con, run_id, cause_line(exc))
        raise
    if publish is not None:
        publish(summary)
    if summary["status"] == state.RunStatus.FAILED:
        raise RunFailed(summary["error"], summary)
    return summary


def _start(params: CrawlParams, executor: Executor, con: Any, data: Path,
           clock: StageClock) -> _Run:
    """Open tonight's run, or find the unfinished one of the same night."""
    base_url = normalize_url(params.base_url).rstrip("/") or params.base_url
    version = parser_version()
    run_id, observed_at, resumed = state.open_run(
        con, base_url=base_url, observed_at=params.observed_at, parser_version=version
    )
    spec = RunSpec(
        run_id=run_id, base_url=base_url, data_dir=str(data), observed_at=observed_at,
        simulated=params.observed_at is not None, config=params.fetch_config(),
        parser_version=version, warc_max_bytes=params.warc_max_bytes,
    )
    log = run_logger()
    log.info("crawl run %s of %s (%s)", run_id, base_url, "resumed" if resumed else "new")
    return _Run(params, executor, con, spec, resumed, log, clock)


def _recover(run: _Run) -> None:
    """Catch the warehouse up with the disk, then wait one request interval (the last
    start may have just requested a page)."""
    counts = recover_run(run.con, run.spec)
    run.log.info("recovered run %s: %s", run.run_id, counts)
    run.not_before = time.time() + run.spec.config.interval(None)


def _discover(run: _Run) -> DiscoverResult:
    """robots.txt and the sitemaps, fetched and archived by the discover stage; their rows
    recorded, the run's spec given the robots policy and the discovery mode."""
    con, spec = run.con, run.spec
    found: DiscoverResult = run.executor.submit(
        "discover", spec=spec, cached_robots=_cached_robots(con, spec), not_before=run.not_before,
        cached_sitemaps=state.sitemap_cache(con),
    ).result()
    run.not_before = found.not_before
    state.record_fetches(con, [row_dict(row) for row in found.rows])
    state.set_discovery(con, run.run_id, found.mode)
    run.spec = replace(spec, robots=found.robots, follow_links=found.mode == "links")
    run.batch_size = run.params.batch_size or paced_batch_size(
        spec.config.interval(found.robots.crawl_delay))
    run.log.info("discovery: %s mode, %d pages, %d other URLs, robots %s (crawl-delay %s)",
                 found.mode, len(found.pages), len(found.other), found.robots.mode,
                 found.robots.crawl_delay)
    return found


def _cached_robots(con: Any, spec: RunSpec) -> str | None:
    """The body of the last robots.txt fetched with a 200, read back from the WARC."""
    found = state.latest_fetch(con, normalize_url(robots_url(spec.base_url)))
    row = FetchRow.from_dict(found) if found else None
    if row is None or not row.warc_path or row.warc_offset is None or row.http_status != 200:
        return None
    try:
        body = read_record_payload(Path(spec.data_dir) / row.warc_path, row.warc_offset)
    except Exception:  # noqa: BLE001 - a missing cache is not an error
        return None
    return body.decode("utf-8", "replace")


def _plan(run: _Run, found: DiscoverResult) -> Frontier:
    """Tonight's fetch list (the pages left alone recorded: rows, or counts for those left
    alone as unchanged), as a frontier that links found in links mode join, up to
    max_pages (MAX_LINK_PAGES in links mode). A resumed run leaves alone what its earlier
    starts recorded, rows and unchanged pages alike."""
    con, spec, params = run.con, run.spec, run.params
    rows = state.run_fetches(con, run.run_id)
    already = sum(1 for r in rows.values() if r["requests"])
    done = [*rows, *state.run_unchanged(con, run.run_id)]  # left alone: no row
    max_pages = params.max_pages
    if max_pages is None and found.mode == "links":
        max_pages = MAX_LINK_PAGES
    remaining = None if max_pages is None else max(0, max_pages - already)
    allowed = found.robots.allowed if spec.config.obey_robots else None
    plan = make_plan(
        found.pages, state.url_states(con), run_id=run.run_id, observed_at=spec.observed_at,
        recheck_days=params.recheck_days, done=done, max_pages=remaining,
        allowed=allowed or (lambda url: True), other=found.other,
        sitemap_mode=found.mode == "sitemap", recheck=params.recheck,
    )
    state.record_fetches(con, [row_dict(row) for row in plan.rows])
    state.record_known_out_of_scope(con, run.run_id, len(plan.known_out_of_scope))
    run.log.info("plan: %d pages to fetch %s, in batches of %d", len(plan.fetch),
                 plan.counts(), run.batch_size)
    return Frontier(plan.fetch, seen=[*done, *(row.url for row in plan.rows),
                                      *plan.known_out_of_scope],
                    limit=remaining, allowed=allowed)


def _batches(run: _Run, frontier: Frontier) -> int:
    """Fetch → archive → parse → load, batch after batch; returns the rows fetched.

    While one batch's rows and captures are written (mostly DuckDB's C++, off the GIL),
    the next batch is already fetching."""
    writes = BatchWrites(run.executor, run.con, parser_version=run.spec.parser_version,
                         write_rows=run.params.write_rows, clock=run.clock)
    fetched = 0
    progress("plan", 0, frontier.total)
    fetching = _submit_fetch(run, frontier)
    while fetching is not None:
        result: BatchResult = fetching.result()
        run.not_before = result.not_before
        fetched += len(result.rows)
        if run.spec.follow_links and result.links:  # links' rows are in no journal: now
            state.record_fetches(run.con, [row_dict(row) for row in frontier.add_links(
                result.links, run_id=run.run_id)])
        if run.executor.parallel_parse:  # the next batch starts fetching first
            fetching = _submit_fetch(run, frontier)
            writes.parse(result.parse)
        else:  # parsed here, before the next fetch (not beside it: the GIL)
            writes.parse(result.parse)
            fetching = _submit_fetch(run, frontier)
        writes.add(result.rows)
        progress("fetch", fetched, frontier.total)
        run.log.info("fetched %d/%d pages", fetched, frontier.total)
    writes.flush()
    return fetched


def _submit_fetch(run: _Run, frontier: Frontier) -> Any | None:
    """Start the fetch stage on the frontier's next batch; None when nothing is left."""
    batch = frontier.next_batch(run.batch_size)
    if not batch:
        return None
    return run.executor.submit("fetch", spec=run.spec, items=batch, not_before=run.not_before)


def _finalize(run: _Run, found: DiscoverResult, fetched: int, total: int) -> dict[str, Any]:
    """Load what a crash-and-retry left behind, judge the night, close the run (finished,
    or failed with the reason), publish the snapshot, and return the summary. A snapshot
    that could not be published makes a partial night: recorded failed, repaired by the
    next run's publish."""
    con, spec, clock = run.con, run.spec, run.clock
    with clock.stage(Stage.CHECK):
        recapture_lost(con, spec)
        problem = night_problem(con, run.run_id, spec.base_url)
        status = state.RunStatus.FAILED if problem else state.RunStatus.FINISHED
        state.finish_run(con, run.run_id, status=status, error=problem)
        close_writers(run.run_id)
        with contextlib.suppress(FileNotFoundError):
            spec.journal.unlink()
    not_published = publish_snapshot(con, settings.db_path(Path(spec.data_dir)), warn=False,
                                      clock=clock)
    if not_published:
        problem = (f"partial night: archive and warehouse written, snapshot and analytics not "
                   f"published ({not_published}); the next run publishes them"
                   + (f"; also {problem}" if problem else ""))
        state.finish_run(con, run.run_id, status=state.RunStatus.FAILED, error=problem)
    with clock.stage(Stage.SUMMARY):
        summary = build_summary(con, run.run_id, elapsed=clock.elapsed(),
                                sitemap_errors=found.sitemap_errors)
    summary["stage_s"] = clock.rounded()
    summary["markdown"] = summary_markdown(summary)
    progress("done", fetched, total)
    run.log.info("crawl %s %s: %s", run.run_id, summary["status"], {
        k: summary["counts"][k] for k in ("fetched", "not_modified", "new_pages",
                                          "changed", "failed", "requests")})
    return summary


def crawl(base_url: str = LIVE_BASE_URL, *, parse_processes: int = 1,
          **kwargs: Any) -> dict[str, Any]:
    """The same crawl as :func:`flows.nightly.nightly_crawl`, without Prefect (plain
    threads, and `parse_processes` worker processes for parsing; 0 parses in a thread).
    The workers start from a forkserver, which imports the caller's main module: a script
    calling this needs the usual ``if __name__ == "__main__":`` guard (or
    parse_processes=0)."""
    params = CrawlParams(base_url=base_url, **kwargs)
    executor = ThreadExecutor(parse_processes)
    try:
        return run_pipeline(params, executor)
    finally:
        executor.close()
