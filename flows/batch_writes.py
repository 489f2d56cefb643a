"""The warehouse writes of the crawl's batch stage, gathered over fetch batches.

Fetch rows and parsed captures wait until ``write_rows`` rows (or WRITE_SECONDS) have
gathered, then go to the warehouse in one write: rows first, then every capture parsed
for them. A write costs ~0.15 s whatever its size (DuckDB plans and runs the crawl-state
upserts, then the load), so a fast crawl writing every 200-page batch spent most of its
warehouse time on that; a polite one (a batch takes minutes) still writes every batch.
Nothing waits on the rows in between: the journal holds each one, and a resumed run
records what a crash left out.
"""

from __future__ import annotations

import time
from typing import Any

from crawler import FetchRow
from flows.archiving import row_dict
from flows.executors import Executor
from flows.payloads import Payload
from flows.progress import Stage, StageClock
from warehouse import CaptureRecord, load_captures
from warehouse import crawl_state as state

__all__ = ["WRITE_ROWS", "WRITE_SECONDS", "BatchWrites"]

#: fetch rows gathered per warehouse write (CrawlParams.write_rows)
WRITE_ROWS = 1000
#: … or the seconds since the last write after which the gathered rows are written anyway
WRITE_SECONDS = 60.0


class BatchWrites:
    """Fetch rows and parse futures gathered, written together (rows, then the captures
    parsed so far) once `write_rows` rows wait or WRITE_SECONDS have passed since the last
    write. The writes' time goes to the clock's WAREHOUSE stage."""

    def __init__(self, executor: Executor, con: Any, *, parser_version: str,
                 write_rows: int, clock: StageClock) -> None:
        self.executor, self.con, self.clock = executor, con, clock
        self.parser_version, self.write_rows = parser_version, write_rows
        self.rows: list[dict[str, Any]] = []
        self.parses: list[Any] = []  # parse futures (or parsed records) not loaded yet
        self.written = time.monotonic()

    def parse(self, payloads: list[Payload]) -> None:
        """Parse a batch's payloads: beside the next fetch when the executor parses in
        other processes, else now (CPU: not beside the fetch, the GIL)."""
        if not payloads:
            return
        future = self.executor.submit("parse", items=payloads,
                                      parser_version=self.parser_version)
        self.parses.append(future if self.executor.parallel_parse else future.result())

    def add(self, rows: list[FetchRow]) -> None:
        """Gather a batch's rows; write everything gathered once there are enough."""
        self.rows += [row_dict(row) for row in rows]
        if (len(self.rows) >= self.write_rows
                or time.monotonic() - self.written >= WRITE_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Write the gathered rows, then load every capture parsed for them (waiting for
        the parses still running)."""
        with self.clock.stage(Stage.WAREHOUSE):
            state.record_fetches(self.con, self.rows)
        records: list[CaptureRecord] = []
        for parsed in self.parses:
            records += parsed if isinstance(parsed, list) else parsed.result()
        if records:
            with self.clock.stage(Stage.WAREHOUSE):
                load_captures(self.con, records)
        self.rows, self.parses = [], []
        self.written = time.monotonic()
