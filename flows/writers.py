"""The WARC writers of this process: one per run, kept open across batches.

A run fills one file per process (rotated by size), not one per batch; a writer whose
batch failed midway is closed and its torn last record moved aside (archive.repair_warc
keeps it in the quarantine), so a retry starts clean.
"""

from __future__ import annotations

import threading

from archive import WarcWriter, crawl_warc_prefix, repair_warc
from flows.archiving import RunSpec

__all__ = ["abandon_writer", "close_writers", "run_writer"]

_WRITERS: dict[str, tuple[WarcWriter, threading.Lock]] = {}
_WRITERS_LOCK = threading.Lock()


def run_writer(spec: RunSpec) -> tuple[WarcWriter, threading.Lock]:
    """This process's WARC writer for the run, and the lock its users share."""
    with _WRITERS_LOCK:
        found = _WRITERS.get(spec.run_id)
        if found is None:
            found = (
                WarcWriter(spec.archive_dir, prefix=crawl_warc_prefix(spec.run_id),
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
    """After an error mid-batch: close the run's writer in this process and move aside any
    record it left half-written, so a retried task starts a clean file and every file reads
    back whole."""
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
