"""WARC record framing: where a whole record ends, so a torn one is never read as whole.

warcio yields a record cut short by a crash as if it were complete; the reader
(:func:`archive.iter_records`) and the repair (:func:`archive.repair_warc`) both use
these checks to tell a whole record from a partial one.
"""

from __future__ import annotations

import io
import zlib

__all__ = ["is_whole_at", "whole_record_length"]


def whole_record_length(data: bytes) -> int | None:
    """Length of the complete uncompressed WARC record at the start of `data`, or None.

    A record is its header block, Content-Length bytes of content, then CRLF CRLF.
    """
    if not data.startswith(b"WARC/"):
        return None
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    length = None
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
    if length is None or length < 0:
        return None
    total = end + 4 + length + 4
    if len(data) < total or data[total - 4 : total] != b"\r\n\r\n":
        return None
    return total


def is_whole_at(fh: io.BufferedReader, offset: int, length: int, gzipped: bool) -> bool:
    """Whether the record at `offset` is complete: one whole gzip member holding one whole
    record, or (uncompressed) a whole record followed by its CRLF CRLF."""
    fh.seek(offset)
    if gzipped:
        decomp = zlib.decompressobj(wbits=31)
        try:
            data = decomp.decompress(fh.read(length))
        except zlib.error:
            return False
        if not decomp.eof:
            return False
    else:
        data = fh.read(length + 4)
    return whole_record_length(data) == len(data)
