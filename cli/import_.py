"""`verdicts import`: archive pages (files or WARCs) and load them into the warehouse.

Per payload, in this order: read the bytes → digest → capture id (source URL,
observed_at, digest) → if the warehouse has that capture, skip it (nothing is archived
or changed) → archive the raw bytes to ``<data>/archive/import-*.warc.gz`` → parse →
load, in bulk batches. Raw bytes are on disk (fsynced) before anything parses them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import duckdb

from archive import ArchivedRecord, WarcWriter
from cli._exits import add_wait, exit_for
from cli._options import (
    Subparsers,
    add_command,
    add_data_dir,
    add_inputs,
    add_observed_at,
    check_inputs,
    fail,
    one_line,
)
from flows import settings
from flows.ingest import (
    InputError,
    InputPayload,
    batched,
    iter_inputs,
    parse_payload,
    parser_version,
)
from warehouse import CaptureRecord, LoadSummary, connect, load_captures
from warehouse.load import existing_captures
from warehouse.snapshot import publish_snapshot

#: Payloads loaded per transaction.
BATCH_SIZE = 200
#: Show a progress bar past this many inputs (or whenever stderr is a terminal).
PROGRESS_MIN_INPUTS = 50

DESCRIPTION = """\
Archive comparison pages and load them into the warehouse (<data>/verdicts.duckdb).

Inputs are the same as for `verdicts parse`: .html/.htm, .txt (text renderings) and
WARC files (.warc, .warc.gz). The raw bytes of every new page are first written to a
WARC under <data>/archive/ (import-*.warc.gz), then parsed and loaded. A page that does
not parse is still recorded, as a capture with parse_status 'error' and the reason.

Importing is idempotent: a capture is identified by its source URL, observed_at and
payload digest, and one that is already in the warehouse is skipped untouched.

observed_at is --observed-at, else the record's WARC-Date, else the file's mtime.
The exit status is 1 if any input or page failed (reasons on stderr), else 0.
"""

EPILOG = """\
examples:
  verdicts import ../shared/seeds/*.txt
  verdicts import page.html --url https://shiporskip.io/compare/a-vs-b \\
      --observed-at 2025-06-01T08:00:00Z
  verdicts import crawl.warc.gz --data-dir /srv/verdicts
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts import`."""
    p = add_command(
        subparsers, "import",
        help="archive pages (files or WARCs) and load them into the warehouse",
        description=DESCRIPTION, epilog=EPILOG,
    )
    add_inputs(p)
    add_observed_at(p, "when the pages were seen (ISO 8601; UTC if no offset)")
    add_data_dir(p)
    add_wait(p)
    p.set_defaults(func=run)
    return p


@dataclass
class _Totals:
    pages: int = 0
    already: int = 0  # payloads whose capture was already in the warehouse (or repeated)
    input_errors: int = 0
    present_failed: int = 0
    load: LoadSummary = LoadSummary()

    @property
    def failed(self) -> int:
        return self.input_errors + self.load.failures + self.present_failed


def _err(label: str, message: str) -> None:
    fail(None, f"{label}: {message}")


def _archive(writer: WarcWriter, item: InputPayload) -> ArchivedRecord:
    """Write one payload's raw bytes: files as resource records, WARC records as they were
    (response with its HTTP headers, else resource), dated observed_at."""
    if item.record_type == "response" and item.http_status is not None:
        try:
            reason = HTTPStatus(item.http_status).phrase
        except ValueError:
            reason = ""
        return writer.write_response(
            item.url or "",
            status=item.http_status,
            reason=reason,
            headers=item.http_headers,
            body=item.raw_payload,
            date=item.observed_at,
        )
    return writer.write_resource(
        item.url, content_type=item.content_type, body=item.raw_payload, date=item.observed_at
    )


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr for big or interactive runs, else a no-op.

    Yields ``update(inputs_done, pages_seen)``.
    """
    if total <= PROGRESS_MIN_INPUTS and not sys.stderr.isatty():
        yield lambda done, pages: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("importing", total=total)

        def update(done: int, pages: int) -> None:
            bar.update(task, completed=done, description=f"importing ({pages} pages)")

        yield update


def _import_batch(
    con: duckdb.DuckDBPyConnection,
    writer: WarcWriter,
    data: Path,
    batch: list[InputPayload | InputError],
    seen: set[str],
    version: str,
    totals: _Totals,
) -> None:
    payloads = [it for it in batch if isinstance(it, InputPayload)]
    present = existing_captures(con, [p.capture_id for p in payloads])
    records: list[CaptureRecord] = []
    for item in batch:
        if isinstance(item, InputError):
            totals.input_errors += 1
            _err(item.input, item.message)
            continue
        totals.pages += 1
        cid = item.capture_id
        if cid in present or cid in seen:
            totals.already += 1
            if cid in present and present[cid] is not None:
                totals.present_failed += 1
                _err(item.label, f"already recorded as failed: {present[cid]}")
            continue  # already captured: no re-archiving, nothing changes
        seen.add(cid)
        archived = _archive(writer, item)  # raw bytes on disk before parsing
        parsed = parse_payload(item)
        if parsed.error is not None:
            _err(item.label, parsed.error)
        records.append(
            CaptureRecord(
                url=item.url,
                observed_at=item.observed_at,
                source="import",
                source_ref=item.input,
                http_status=item.http_status,
                content_type=item.content_type,
                payload_digest=item.payload_digest,
                payload_bytes=len(item.raw_payload),
                warc_path=os.path.relpath(archived.path, data),
                warc_offset=archived.offset,
                warc_length=archived.length,
                warc_record_id=archived.record_id,
                parser_version=version,
                page=parsed.page,
                error=parsed.error,
            )
        )
    totals.load = totals.load + load_captures(con, records)


def run(args: argparse.Namespace) -> int:
    """Archive, parse and load every input, holding the data dir's writer lock; print a
    summary; 1 if anything failed, 2 on bad use or when another writer holds the lock."""
    if not check_inputs(args):
        return 2
    from flows.lock import writer_lock

    data = settings.data_dir(args.data_dir)
    try:
        with writer_lock(data.resolve(), "import", wait=args.wait):
            return _run_locked(args, data)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        return exit_for("import", exc)


def _run_locked(args: argparse.Namespace, data: Path) -> int:
    """`run` with the writer lock held."""
    db = settings.db_path(data)
    try:
        con = connect(db)
    except (duckdb.Error, OSError) as exc:
        _err(str(db), f"cannot open the warehouse: {one_line(exc)}")
        return 1
    totals = _Totals()
    seen: set[str] = set()
    version = parser_version()
    try:
        with WarcWriter(settings.archive_dir(data), prefix="import") as writer:
            items = iter_inputs(args.paths, url=args.url, observed_at=args.observed_at)
            with _progress(len(args.paths)) as update:
                inputs_done = 0
                last_input: str | None = None
                for batch in batched(items, BATCH_SIZE):
                    _import_batch(con, writer, data, batch, seen, version, totals)
                    for item in batch:
                        if item.input != last_input:
                            last_input = item.input
                            inputs_done += 1
                    update(inputs_done, totals.pages)
    except OSError as exc:  # the archive cannot be written (disk full, permissions …)
        _err(str(settings.archive_dir(data)), f"cannot archive: {exc}")
        return 1
    finally:
        con.close()
    load = totals.load
    if load.captures_new:  # analysts read the snapshot: publish what is new
        publish_snapshot(db)
    print(
        f"imported {totals.pages} page(s) ({load.captures_new} new, {totals.already} already "
        f"present), {load.tools} tools, {load.reviews} reviews, {totals.failed} failure(s)"
    )
    return 1 if totals.failed else 0
