"""Repairing a WARC after a crash: cut a partial trailing record off, keep the rest.

A SIGKILL mid-write can leave the last record torn (the writer fsyncs whole records,
so nothing refers to it yet). :func:`repair_warc` keeps the longest prefix made of whole
records and truncates the file there; reading a torn file raises
:class:`archive.PartialRecordError` until it is repaired.
"""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

from archive._framing import whole_record_length

__all__ = ["repair_warc"]


def _whole_gzip_prefix(fh: io.BufferedReader) -> int:
    """Bytes at the start of `fh` made of whole gzip members, each one whole WARC record."""
    good = 0
    pending = b""  # bytes already read from the file, starting at offset `good`
    while True:
        decomp = zlib.decompressobj(wbits=31)
        out = bytearray()
        data, pending = pending, b""
        used = 0  # input bytes of this member
        while True:
            if not data:
                data = fh.read(1 << 20)
                if not data:
                    return good  # clean end of file, or a member cut short
            try:
                out += decomp.decompress(data)
            except zlib.error:
                return good
            if decomp.eof:
                pending = decomp.unused_data
                used += len(data) - len(pending)
                break
            used += len(data)
            data = b""
        if whole_record_length(bytes(out)) != len(out):
            return good
        good += used


def _whole_plain_prefix(fh: io.BufferedReader) -> int:
    """Bytes of an uncompressed WARC made of whole records."""
    data = fh.read()
    good = 0
    while good < len(data):
        n = whole_record_length(data[good:])
        if n is None:
            break
        good += n
    return good


def repair_warc(path: Path) -> int:
    """Cut a partial trailing record (a crash mid-write) off a WARC; return bytes cut.

    Keeps the longest prefix made of whole records — for gzipped files, whole gzip
    members each holding one whole record — truncates the file there and fsyncs it.
    A file with nothing to cut is left untouched and 0 is returned.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        magic = fh.read(2)
        fh.seek(0)
        good = _whole_gzip_prefix(fh) if magic == b"\x1f\x8b" else _whole_plain_prefix(fh)
    size = path.stat().st_size
    if good >= size:
        return 0
    with open(path, "r+b") as fh:
        fh.truncate(good)
        fh.flush()
        os.fsync(fh.fileno())
    return size - good
