"""Undoing a stored body's Content-Encoding, in a stream, never past the decode cap.

A record read back from a WARC (or a file given to `parse` / `import`) holds a page's
bytes as the server sent them. Decoding gzip, deflate or br is done chunk by chunk with a
bound on the output, so a 7 KB record that inflates to 100 MB stops at the cap with
:class:`BodyOverCap` ("decoded body over 8 MB cap") instead of filling memory.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders

from parsers import MAX_PAGE_BYTES

__all__ = ["MAX_BODY_BYTES", "BodyOverCap", "decode_body", "megabytes"]

#: The decode cap: the most bytes a page body may decode to (parsers.MAX_PAGE_BYTES, the
#: crawler's body cap too).
MAX_BODY_BYTES = MAX_PAGE_BYTES
_CHUNK = 1 << 16


class BodyOverCap(ValueError):
    """A body that decodes (or, uncompressed, is) over the decode cap."""

    def __init__(self, limit: int, *, decoded: bool = True) -> None:
        what = "decoded body" if decoded else "body"
        super().__init__(f"{what} over {megabytes(limit)} cap")


def megabytes(n: int) -> str:
    """`n` bytes as "8 MB" (MiB, the way the caps are set)."""
    return f"{n / (1 << 20):g} MB"


def decode_body(raw: bytes, headers: StatusAndHeaders, limit: int = MAX_BODY_BYTES) -> bytes:
    """`raw` with stray chunking and its Content-Encoding (gzip, deflate, br) undone.

    Raises :class:`BodyOverCap` as soon as the output passes `limit`. An unknown coding
    (br too, without brotli >= 1.2) leaves the bytes as they are (the parser will say it
    is no page); a body that does not decode from its first bytes is taken as not encoded
    at all, one that breaks later keeps what decoded before the break (as warcio did).
    """
    if (headers.get_header("transfer-encoding") or "").lower() == "chunked":
        raw = _dechunk(raw)
    encoding = (headers.get_header("content-encoding") or "").strip().lower()
    decomp = _decompressor(encoding)
    if decomp is None:
        if len(raw) > limit:
            raise BodyOverCap(limit, decoded=False)
        return raw
    return _inflate(raw, decomp, encoding, limit)


def _dechunk(raw: bytes) -> bytes:
    """Undo a chunked transfer coding left in a stored body (never longer than `raw`)."""
    body: bytes = ChunkedDataReader(io.BytesIO(raw)).read()  # warcio is untyped
    return body


def _decompressor(encoding: str) -> Any | None:
    """A fresh decompressor for `encoding`; None for identity or a coding we do not know."""
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=31)
    if encoding == "deflate":
        return zlib.decompressobj(wbits=47)  # zlib or gzip wrapper, auto-detected
    if encoding == "br":
        try:
            import brotli
        except ImportError:
            return None
        if not hasattr(brotli.Decompressor, "can_accept_more_data"):
            return None  # brotli < 1.2 cannot bound its output: leave the bytes undecoded
        return brotli.Decompressor()
    return None


def _inflate(raw: bytes, decomp: Any, encoding: str, limit: int) -> bytes:
    """Feed `raw` to `decomp` chunk by chunk, the output bounded by `limit` + 1."""
    out = bytearray()
    view = memoryview(raw)
    pos = 0
    try:
        while pos < len(view):
            chunk = view[pos : pos + _CHUNK]
            pos += len(chunk)
            _feed(decomp, bytes(chunk), out, limit)
            if encoding in ("gzip", "x-gzip") and decomp.eof and decomp.unused_data:
                # another member (gzip) after this one: keep going
                rest = decomp.unused_data + bytes(view[pos:])
                decomp, view, pos = _decompressor(encoding), memoryview(rest), 0
    except BodyOverCap:
        raise
    except Exception:  # noqa: BLE001 - zlib.error / brotli.error: see the docstring
        if not out and encoding == "deflate":
            return _inflate(raw, zlib.decompressobj(wbits=-15), "deflate-raw", limit)
        return bytes(out) if out else raw
    return bytes(out)


def _feed(decomp: Any, data: bytes, out: bytearray, limit: int) -> None:
    """Decompress `data` into `out`, raising BodyOverCap past `limit`."""
    if hasattr(decomp, "unconsumed_tail"):  # zlib
        while data:
            out += decomp.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise BodyOverCap(limit)
            data = decomp.unconsumed_tail
            if decomp.eof:
                return
        return
    out += decomp.process(data, output_buffer_limit=limit + 1 - len(out))  # brotli
    while len(out) <= limit and not decomp.can_accept_more_data():
        out += decomp.process(b"", output_buffer_limit=limit + 1 - len(out))
    if len(out) > limit:
        raise BodyOverCap(limit)
