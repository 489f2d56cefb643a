"""WARC record framing: where a whole uncompressed record ends.

A record is its header block (``WARC/1.x`` … CRLF CRLF), Content-Length bytes of content,
then CRLF CRLF. The scanner (:mod:`archive._scan`) uses these checks to tell a whole
record from a torn or damaged one; warcio alone would yield a record cut short as if it
were complete.
"""

from __future__ import annotations

__all__ = ["header_block", "whole_record_length"]

#: What every WARC record starts with.
RECORD_START = b"WARC/"


def header_block(data: bytes) -> tuple[int, int] | None:
    """``(end of the header block, Content-Length)`` of the record at the start of
    `data`; None when the block is not all there or has no usable Content-Length.
    The content starts at ``end + 4`` (after the CRLF CRLF)."""
    if not data.startswith(RECORD_START):
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
    return end, length


def whole_record_length(data: bytes) -> int | None:
    """Length of the complete uncompressed WARC record at the start of `data`, or None."""
    found = header_block(data)
    if found is None:
        return None
    end, length = found
    total = end + 4 + length + 4
    if len(data) < total or data[total - 4 : total] != b"\r\n\r\n":
        return None
    return total
