"""Repairing a WARC after a crash: a torn final record moved aside, nothing else touched.

A SIGKILL mid-write can leave the file's last record torn (the writer fsyncs whole
records, so nothing refers to it yet). :func:`repair_warc` copies that tail into
``<archive>/quarantine/<name>.torn-<offset>`` (fsynced) and only then truncates the file
there, so even those bytes are kept. A damaged record anywhere else is left exactly as it
is: readers skip it with an error naming the file and offset, and every record before
and after it still reads.
"""

from __future__ import annotations

import os
from pathlib import Path

from archive._scan import RecordError, scan
from archive._writer import fsync_dir

__all__ = ["QUARANTINE_DIRNAME", "quarantine_path", "repair_warc", "torn_tail"]

#: Where the torn tails cut off WARC files are kept, inside the file's directory.
QUARANTINE_DIRNAME = "quarantine"


def torn_tail(path: Path) -> RecordError | None:
    """The torn final record of the WARC at `path` (the file ends inside it), or None."""
    last: RecordError | None = None
    for item in scan(Path(path)):
        last = item if isinstance(item, RecordError) else None
    return last if last is not None and last.torn else None


def quarantine_path(path: Path, offset: int) -> Path:
    """A new file for the torn tail of `path` at `offset`:
    ``<dir>/quarantine/<name>.torn-<offset>`` (``-2``, ``-3`` … if that one exists)."""
    base = Path(path).parent / QUARANTINE_DIRNAME / f"{Path(path).name}.torn-{offset}"
    found, n = base, 1
    while found.exists():
        n += 1
        found = base.with_name(f"{base.name}-{n}")
    return found


def repair_warc(path: Path) -> int:
    """Move a torn final record (a crash mid-write) out of a WARC; return the bytes moved.

    The tail is copied to :func:`quarantine_path` and fsynced before the file is
    truncated and fsynced. Damage before the last record is never cut (0 is returned
    and the file is untouched), nor is a file that ends with a whole record.
    """
    path = Path(path)
    torn = torn_tail(path)
    if torn is None:
        return 0
    with open(path, "rb") as fh:
        fh.seek(torn.offset)
        tail = fh.read()
    keep = quarantine_path(path, torn.offset)
    keep.parent.mkdir(exist_ok=True)
    with open(keep, "xb") as out:
        out.write(tail)
        out.flush()
        os.fsync(out.fileno())
    fsync_dir(keep.parent)
    with open(path, "r+b") as fh:
        fh.truncate(torn.offset)
        fh.flush()
        os.fsync(fh.fileno())
    return len(tail)

