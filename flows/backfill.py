"""The backfill as a Prefect 3 flow: discover → plan → fetch + archive → load → summary.

* **discover** (task): the source's CDX API lists the captures of the site's comparison
  pages in the window (:func:`backfill.discover`);
* **plan** (in the flow): what the ledger has not settled yet (:func:`backfill.plan`);
* **fetch + archive** (tasks of `batch_size` captures, one after another, so an archive
  host's politeness budget is never shared): raw bytes to ``backfill-<source>-*.warc.gz``
  before anything parses them, each capture's ledger line after its records;
* **load** (task, after each batch, and first for what a killed run archived but did not
  load): archived payloads read back from the WARC, parsed, loaded with observed_at = the
  capture's time and source 'wayback' / 'commoncrawl' (source_ref the memento URL or the
  Common Crawl ``file:offset``). Capture ids are deterministic: a repeat adds nothing.

The run holds the data dir's writer lock (as crawl, import and reparse do) and, on a
Prefect server, the writer slot. It fails (:class:`BackfillFailed`, one line why) when the
CDX server cannot list the captures, or when captures were due and none could be fetched.

No `from __future__ import annotations`: Prefect validates parameters against real
annotations (see :mod:`flows.nightly`).
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from archive import read_payload_at
from backfill import (
    BackfillSpec,
    BatchResult,
    CdxUnavailable,
    Discovery,
    Outcome,
    Settled,
    discover,
    fetch_batch,
    plan,
    read_ledger,
)
from flows import settings
from flows.lock import writer_lock
from flows.payloads import Payload, parse_batch, parser_version
from flows.progress import progress, run_logger
from flows.summary import publish_snapshot
from flows.writer_limit import writer_slot
from warehouse import capture_id, connect, load_captures
from warehouse.load import existing_captures

__all__ = ["BackfillFailed", "BackfillTotals", "backfill", "load_settled"]

_TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


class BackfillFailed(Exception):
    """The backfill did not do its job; the message says why in one line."""

    def __init__(self, message: str, totals: "BackfillTotals | None" = None) -> None:
        super().__init__(message)
        self.totals = totals


@dataclass
class BackfillTotals:
    """One backfill's figures: captures found, fetched, archived, revisits, failed, loaded."""

    found: int = 0  # listed by the CDX API in the window
    already: int = 0  # settled by an earlier run: not fetched again
    due: int = 0  # to fetch this run
    held_back: int = 0  # beyond --max-captures: left for the next run
    fetched: int = 0  # the archive answered with the capture's bytes
    archived: int = 0  # response records written
    revisits: int = 0  # revisit records (payload already archived for the URL)
    failed: int = 0
    skipped: int = 0  # not comparison pages: never requested
    loaded: int = 0  # new captures in the warehouse
    parse_errors: int = 0  # loaded captures the parser could not read
    requests: int = 0  # to the archive: CDX queries and captures, retries included
    failures: dict[str, int] = field(default_factory=dict)  # reason → count
    examples: list[str] = field(default_factory=list)  # a few failures, one line each
    elapsed_s: float = 0.0

    def line(self) -> str:
        """The summary line."""
        return (f"captures found {self.found} / fetched {self.fetched} / archived "
                f"{self.archived} / revisits {self.revisits} / failed {self.failed} / "
                f"loaded {self.loaded}")

    def add(self, settled: list[Settled]) -> None:
        """Count a batch's settled captures."""
        for s in settled:
            if s.outcome in (Outcome.ARCHIVED, Outcome.REVISIT) or s.warc_path:
                self.fetched += 1
            if s.outcome == Outcome.ARCHIVED:
                self.archived += 1
            elif s.outcome == Outcome.REVISIT:
                self.revisits += 1
            elif s.outcome == Outcome.SKIPPED:
                self.skipped += 1
            else:
                self.failed += 1
            if s.reason is not None:
                self.failures[s.reason.value] = self.failures.get(s.reason.value, 0) + 1
                if len(self.examples) < 10:
                    self.examples.append(f"{s.outcome} {s.reason}: {s.detail}")


def load_settled(data_dir: str, settled: list[Settled]) -> tuple[int, int]:
    """Load the archived captures among `settled` the warehouse does not have yet: read
    back from the WARC, parsed, loaded. Returns (new captures, of which parse errors)."""
    archived = {capture_id(s.url, s.captured_at, s.payload_digest or ""): s for s in settled
                if s.outcome == Outcome.ARCHIVED and s.warc_path and s.payload_digest}
    if not archived:
        return 0, 0
    data = Path(data_dir)
    con = connect(settings.db_path(data))
    try:
        present = existing_captures(con, list(archived))
        payloads = []
        for cid, s in archived.items():
            if cid in present or s.warc_path is None or s.warc_offset is None:
                continue
            read = read_payload_at(data / s.warc_path, s.warc_offset)
            payloads.append(Payload.from_archived(
                read, source=s.source.value, source_ref=read.source_uri or s.key,
                warc_path=s.warc_path,
                url=s.url, observed_at=s.captured_at))
        loaded = load_captures(con, parse_batch(payloads, parser_version()))
    finally:
        con.close()
    return loaded.captures_new, loaded.failures


# no task retries for discover and fetch: the archive client retries each request itself,
# politely; retrying a whole task would only hammer a throttling archive harder
discover_task = task(name="discover-captures", **_TASK_OPTS)(discover)
fetch_task = task(name="fetch-archive-batch", **_TASK_OPTS)(fetch_batch)
load_task = task(name="load-captures", retries=1, retry_delay_seconds=1,
                 **_TASK_OPTS)(load_settled)


def _finish(spec: BackfillSpec, totals: BackfillTotals, started: float) -> BackfillTotals:
    """Publish the snapshot when something loaded; judge the run."""
    totals.elapsed_s = round(time.perf_counter() - started, 3)
    log = run_logger()
    if totals.loaded:
        con = connect(settings.db_path(Path(spec.data_dir)))
        try:
            why = publish_snapshot(con, settings.db_path(Path(spec.data_dir)), warn=False)
        finally:
            con.close()
        if why:
            raise BackfillFailed(f"loaded, but the snapshot was not published: {why}", totals)
    log.info("backfill %s: %s", spec.source, totals.line())
    if totals.due and not totals.fetched:
        why = ", ".join(f"{n} {r}" for r, n in sorted(totals.failures.items()))
        raise BackfillFailed(f"{totals.due} capture(s) listed and none fetched ({why}); "
                             f"e.g. {totals.examples[0] if totals.examples else '?'}", totals)
    return totals


@flow(name="backfill", persist_result=False, log_prints=False)
def backfill(spec: BackfillSpec, batch_size: int = 25) -> BackfillTotals:
    """Backfill the site's past comparison pages from a web archive (see the module
    docstring); returns the run's :class:`BackfillTotals`, or raises
    :class:`BackfillFailed` when the run did not do its job."""
    if logging.getLogger("httpx").level == logging.NOTSET:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.perf_counter()
    data = settings.data_dir(spec.data_dir).resolve()
    totals = BackfillTotals()
    with writer_slot(), writer_lock(data, "backfill"):
        try:
            found: Discovery = discover_task(spec)
        except CdxUnavailable as exc:
            raise BackfillFailed(str(exc), totals) from exc
        todo = plan(spec, found.captures)
        totals.found, totals.already = len(found.captures), todo.already
        totals.requests = found.requests
        totals.due, totals.held_back = len(todo.todo), todo.held_back
        totals.add(todo.skipped)
        # what a killed run archived but did not load
        loaded, errors = load_task(spec.data_dir, list(read_ledger(spec.ledger).values()))
        totals.loaded, totals.parse_errors = loaded, errors
        not_before = found.not_before
        for n in range(0, len(todo.todo), batch_size):
            batch = todo.todo[n:n + batch_size]
            result: BatchResult = fetch_task(spec, batch, not_before)
            not_before = result.not_before
            totals.requests += result.requests
            totals.add(result.settled)
            loaded, errors = load_task(spec.data_dir, result.settled)
            totals.loaded += loaded
            totals.parse_errors += errors
            progress("fetch", n + len(batch), len(todo.todo))
        return _finish(spec, totals, started)
