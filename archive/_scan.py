"""Finding the records of a WARC file, and stepping over the bytes that are not one.

A WARC is a run of records: one gzip member per record (``.warc.gz``) or uncompressed
records back to back (``.warc``). :func:`scan` walks the file and yields each whole
record's bytes, or a :class:`RecordError` for a stretch that does not read as one:

* **damaged**: a gzip member that fails its CRC or does not inflate, a record whose framing
  is wrong. The scan resumes at the next offset where a whole record starts (the next gzip
  member header, or ``WARC/1.``), so one bad byte costs one record, never the rest;
* **torn**: the file ends inside a record, as a crash mid-write leaves it (only this may
  be trimmed, by :func:`archive.repair_warc`);
* **oversize**: a record over :data:`MAX_RECORD_BYTES` (bounded memory per record).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive._decode import MAX_BODY_BYTES, megabytes
from archive._framing import RECORD_START, header_block, whole_record_length

__all__ = [
    "MAX_RECORD_BYTES",
    "DamagedWarcError",
    "PartialRecordError",
    "RecordError",
    "Span",
    "is_gzip_file",
    "read_span_at",
    "scan",
]

#: The largest record (uncompressed) read into memory: a crawled one is at most the decode
#: cap plus its headers; anything bigger is reported, not read.
MAX_RECORD_BYTES = 4 * MAX_BODY_BYTES
_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1 ID2 CM=deflate: how every gzip member starts
_PLAIN_MAGIC = b"WARC/1."
_CHUNK = 1 << 16
_MAX_HEADER = 1 << 16  # a WARC header block longer than this is not one


@dataclass(frozen=True)
class RecordError:
    """Bytes of a WARC that do not give a usable record: where, how many, and why.

    `torn`: the file ends inside this record (a write cut short); only such a tail may
    be trimmed. ``str()`` is ``<file>@<offset>: <reason>``; :attr:`message` leaves out the
    file, for messages that name it already.
    """

    path: Path
    offset: int
    length: int
    reason: str
    torn: bool = False
    whole_file: bool = False  # no record anywhere in the file: the reason is about the file

    @property
    def message(self) -> str:
        """The error without the file name: ``record at offset N: <reason>`` (just the
        reason when it is about the whole file, e.g. "not a gzip file")."""
        return self.reason if self.whole_file else f"record at offset {self.offset}: {self.reason}"

    def __str__(self) -> str:
        return f"{self.path}@{self.offset}: {self.reason}"


class DamagedWarcError(ValueError):
    """A WARC had records that could not be read (raised after every readable record was
    yielded, when the caller did not collect the errors itself)."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = list(errors)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


class PartialRecordError(DamagedWarcError):
    """The only problem of a WARC is a partial record at its end (a crash mid-write)."""


@dataclass(frozen=True)
class Span:
    """One whole record: its offset and length in the file, and its uncompressed bytes."""

    offset: int
    length: int
    data: bytes


@dataclass(frozen=True)
class _Fail:
    torn: bool
    reason: str


_Reader = Callable[[BinaryIO, int], "Span | _Fail"]


def is_gzip_file(path: Path, fh: BinaryIO) -> bool:
    """Read `path` as gzip members? Yes when it starts with the gzip magic, no when it
    starts with ``WARC/``; otherwise by its name (``.gz``), so a damaged first member
    does not turn a gzipped WARC into an unreadable plain one."""
    fh.seek(0)
    head = fh.read(len(RECORD_START))
    fh.seek(0)
    if head.startswith(_GZIP_MAGIC[:2]):
        return True
    if head.startswith(RECORD_START):
        return False
    return path.name.lower().endswith(".gz")


def gzip_member(fh: BinaryIO, offset: int, limit: int = MAX_RECORD_BYTES) -> Span | _Fail:
    """The gzip member at `offset`, inflated (CRC and size checked), holding one whole
    WARC record of at most `limit` bytes."""
    fh.seek(offset)
    decomp = zlib.decompressobj(wbits=31)
    out = bytearray()
    fed = 0
    while not decomp.eof:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return _Fail(True, "the file ends inside this gzip member")
        fed += len(chunk)
        try:
            out += decomp.decompress(chunk, limit + 1 - len(out))
        except zlib.error as exc:
            return _Fail(False, f"gzip member does not inflate ({_zlib_reason(exc)})")
        if len(out) > limit:
            return _Fail(False, f"record over {megabytes(limit)} cap")
    length = fed - len(decomp.unused_data)
    if whole_record_length(bytes(out)) != len(out):
        return _Fail(False, "gzip member does not hold one whole WARC record")
    return Span(offset, length, bytes(out))


def plain_record(fh: BinaryIO, offset: int, limit: int = MAX_RECORD_BYTES) -> Span | _Fail:
    """The uncompressed record at `offset`: header block, Content-Length bytes, CRLF CRLF."""
    fh.seek(offset)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = fh.read(4096)
        if not chunk:
            torn = head.startswith(RECORD_START) or RECORD_START.startswith(head)
            return _Fail(torn, "the file ends inside this record's header")
        head += chunk
        if not (head.startswith(RECORD_START) or RECORD_START.startswith(head)):
            return _Fail(False, "no WARC record starts here")
        if len(head) > _MAX_HEADER and b"\r\n\r\n" not in head:
            return _Fail(False, "no end to the record's header block")
    found = header_block(head)
    if found is None:
        return _Fail(False, "record header without a valid Content-Length")
    end, length = found
    total = end + 4 + length + 4
    if total > limit:
        return _Fail(False, f"record over {megabytes(limit)} cap")
    data = head[:total] if len(head) >= total else head + fh.read(total - len(head))
    if len(data) < total:
        return _Fail(True, "the file ends inside this record")
    if data[total - 4 :] != b"\r\n\r\n":
        return _Fail(False, "record does not end where its Content-Length says")
    return Span(offset, total, data)


def scan(path: Path) -> Iterator[Span | RecordError]:
    """Every whole record of the WARC at `path`, in file order, and a :class:`RecordError`
    for every stretch of bytes between them that is not one. Never raises for what the
    file holds (OSError when it cannot be read)."""
    path = Path(path)
    with open(path, "rb") as fh:
        size = fh.seek(0, io.SEEK_END)
        gzipped = is_gzip_file(path, fh)
        read: _Reader = gzip_member if gzipped else plain_record
        magic = _GZIP_MAGIC if gzipped else _PLAIN_MAGIC
        pos = 0
        while pos < size:
            got = read(fh, pos)
            if isinstance(got, Span):
                yield got
                pos += got.length
                continue
            nxt = _resync(fh, pos + 1, read, magic)
            end = size if nxt is None else nxt
            yield _error(path, fh, pos, end, got, last=nxt is None, gzipped=gzipped)
            pos = end


def read_span_at(path: Path, offset: int) -> Span:
    """The one whole record at `offset` (seeking straight to it); a :class:`DamagedWarcError`
    when the bytes there are not one, ValueError when `offset` is past the end."""
    path = Path(path)
    with open(path, "rb") as fh:
        size = fh.seek(0, io.SEEK_END)
        if not 0 <= offset < size:
            raise ValueError(f"no WARC record at offset {offset} of {path}")
        read: _Reader = gzip_member if is_gzip_file(path, fh) else plain_record
        got = read(fh, offset)
    if isinstance(got, _Fail):
        raise DamagedWarcError([RecordError(path, offset, 0, got.reason, got.torn)])
    return got


def _resync(fh: BinaryIO, start: int, read: _Reader, magic: bytes) -> int | None:
    """The first offset at or after `start` where a whole record starts, or None."""
    pos = start
    while True:
        fh.seek(pos)
        chunk = fh.read(_CHUNK)
        at = chunk.find(magic)
        if at < 0:
            if len(chunk) < _CHUNK:
                return None
            pos += len(chunk) - len(magic) + 1
            continue
        if isinstance(read(fh, pos + at), Span):
            return pos + at
        pos += at + 1


def _error(path: Path, fh: BinaryIO, start: int, end: int, fail: _Fail, *, last: bool,
           gzipped: bool) -> RecordError:
    """The error for the unreadable bytes `start`..`end`. Only a tail with no record after
    it can be torn: a prefix of a record, or the zero fill a crash can leave."""
    n = end - start
    if last and (fail.torn or _all_zero(fh, start, end)):
        return RecordError(path, start, n, f"partial record ({n} bytes): the file ends mid-record, "
                           "as a write cut short by a crash leaves it", torn=True)
    if last and start == 0:
        what = "not a gzip file" if gzipped and not _starts_gzip(fh) else "no readable WARC record"
        return RecordError(path, 0, n, f"{what} ({fail.reason})", whole_file=True)
    return RecordError(path, start, n, f"damaged WARC record, {n} bytes skipped: {fail.reason}")


def _starts_gzip(fh: BinaryIO) -> bool:
    fh.seek(0)
    return fh.read(2) == _GZIP_MAGIC[:2]


def _all_zero(fh: BinaryIO, start: int, end: int) -> bool:
    fh.seek(start)
    left = end - start
    while left > 0:
        chunk = fh.read(min(left, _CHUNK))
        if not chunk or chunk.count(0) != len(chunk):
            return False
        left -= len(chunk)
    return True


def _zlib_reason(exc: zlib.error) -> str:
    """zlib's message without its 'Error -3 while decompressing data: ' prefix."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text
