"""WARC files: writing captures durably, reading payloads back, repairing a crash.

The archive is the project's source of truth, so this module is strict about three things:

* **Layout.** WARC 1.1, gzipped with one gzip member per record, so a record's byte offset
  and length (kept in the warehouse) let a reader seek straight to it.
* **Durability.** Every write ends with flush + ``os.fsync`` (or, inside
  :meth:`WarcWriter.deferred_sync`, the group of records ends with one): a SIGKILL loses
  at most the records not yet synced, which nothing else refers to yet, and
  :func:`repair_warc` cuts a partial tail away.
* **Integrity.** Reading back checks every WARC-Block-Digest / WARC-Payload-Digest
  (warcio ``check_digests='raise'``); a corrupted record raises instead of returning bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

__all__ = [
    "ArchivedPayload",
    "ArchivedRecord",
    "PartialRecordError",
    "WarcWriter",
    "iter_payloads",
    "iter_records",
    "read_record_payload",
    "payload_digest",
    "repair_warc",
    "warc_date",
]

WARC_VERSION = "WARC/1.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/html")


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest of `body`: ``'sha1:'`` + base32 of its SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(date: datetime) -> str:
    """`date` as a WARC 1.1 WARC-Date (UTC, microseconds when there are any).

    A naive datetime is taken to be UTC already.
    """
    if date.tzinfo is not None:
        date = date.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(date, use_micros=True)


def _parse_warc_date(value: str | None) -> datetime:
    if not value:
        raise ValueError("record has no WARC-Date")
    return iso_date_to_datetime(value).replace(tzinfo=UTC)


def _media_type(content_type: str | None) -> str | None:
    """'text/html; charset=utf-8' -> 'text/html' (lower case); None stays None."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


@dataclass(frozen=True)
class ArchivedRecord:
    """Where one written record lives: file, byte range of its gzip member, id, digest."""

    path: Path
    offset: int
    length: int
    record_id: str
    payload_digest: str  # 'sha1:BASE32'


class WarcWriter:
    """Append records to gzipped WARC 1.1 files in `directory`, durably.

    Files are named ``<prefix>-<UTC yyyymmddHHMMSS>-<n>.warc.gz`` and are never reopened
    for appending: each writer creates its own files (exclusive create), starting each
    with a warcinfo record, and moves to a new file once the current one has reached
    `max_bytes`. Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str,
        max_bytes: int = 1 << 30,
        software: str = "verdict-archive",
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.software = software
        self._fh: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._serial = 0
        self._defer = 0  # > 0 inside deferred_sync(): records are synced at its end
        self._dirty = False  # written but not yet fsynced
        self.paths: list[Path] = []  # every file this writer created, in order

    # -- context manager -------------------------------------------------------------
    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def path(self) -> Path | None:
        """The file being written now (None before the first record or after close)."""
        return self._path

    # -- records ---------------------------------------------------------------------
    def write_request(
        self,
        url: str,
        *,
        headers: list[tuple[str, str]],
        date: datetime,
        method: str = "GET",
    ) -> ArchivedRecord:
        """Archive the HTTP request sent for `url` (a request record, no body)."""
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        http = StatusAndHeaders(f"{method} {target} HTTP/1.1", list(headers), is_http_request=True)
        w = self._ensure_open()
        record = w.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Date": warc_date(date)},
        )
        return self._write(record)

    def write_response(
        self,
        url: str,
        *,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        date: datetime,
        concurrent_to: str | None = None,
    ) -> ArchivedRecord:
        """Archive an HTTP response: status line, headers and entity body.

        `body` is the entity body as received with its Content-Encoding kept (so the
        payload digest is the server's bytes) but any chunked transfer coding removed;
        a ``Transfer-Encoding`` header is therefore kept as
        ``X-Archive-Orig-Transfer-Encoding``, so readers do not try to de-chunk.
        """
        kept = [
            ("X-Archive-Orig-Transfer-Encoding", v) if k.lower() == "transfer-encoding" else (k, v)
            for k, v in headers
        ]
        http = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": warc_date(date)}
        if concurrent_to:
            warc_headers["WARC-Concurrent-To"] = concurrent_to
        w = self._ensure_open()
        record = w.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
        return self._write(record)

    def write_revisit(
        self,
        url: str,
        *,
        refers_to_record_id: str,
        refers_to_url: str,
        refers_to_date: datetime,
        payload_digest: str,
        status: int,
        headers: list[tuple[str, str]],
        date: datetime,
    ) -> ArchivedRecord:
        """Archive a response whose payload equals an earlier one (identical-payload-digest
        revisit profile): status line and headers only, pointing at the original record."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        kept = [
            ("X-Archive-Orig-Transfer-Encoding", v) if k.lower() == "transfer-encoding" else (k, v)
            for k, v in headers
        ]
        http = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")
        w = self._ensure_open()
        record = w.create_revisit_record(
            url,
            payload_digest,
            refers_to_url,
            warc_date(refers_to_date),
            http_headers=http,
            warc_headers_dict={
                "WARC-Date": warc_date(date),
                "WARC-Refers-To": refers_to_record_id,
            },
        )
        return self._write(record)

    def write_resource(
        self, url: str | None, *, content_type: str, body: bytes, date: datetime
    ) -> ArchivedRecord:
        """Archive bytes that did not come from an HTTP exchange (an imported file)."""
        w = self._ensure_open()
        record = w.create_warc_record(
            url or "",
            "resource",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": warc_date(date)},
        )
        return self._write(record)

    @contextmanager
    def deferred_sync(self) -> Iterator[None]:
        """Write a group of records (e.g. one exchange's request and response) with a
        single flush + fsync at the end instead of one per record. The records are
        durable only once the block exits without error: refer to them after that."""
        self._defer += 1
        try:
            yield
        finally:
            self._defer -= 1
        if not self._defer:
            self._sync()

    def _sync(self) -> None:
        if self._fh is not None and self._dirty:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        self._dirty = False

    def close(self) -> None:
        """Close the current file, synced first. Safe to call twice."""
        if self._fh is not None:
            self._sync()
            self._fh.close()
        self._fh = None
        self._writer = None
        self._path = None

    # -- internals -------------------------------------------------------------------
    def _ensure_open(self) -> WARCWriter:
        if self._fh is not None and self._fh.tell() >= self.max_bytes:
            self.close()  # syncs what is pending in this file
        if self._writer is None:
            self._open_next()
        assert self._writer is not None
        return self._writer

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            self._serial += 1
            path = self.directory / f"{self.prefix}-{stamp}-{self._serial}.warc.gz"
            try:
                fh = open(path, "xb")  # noqa: SIM115 - kept open across calls
            except FileExistsError:
                continue
            break
        _fsync_dir(self.directory)
        self._fh = fh
        self._path = path
        self.paths.append(path)
        self._writer = WARCWriter(fh, gzip=True, warc_version=WARC_VERSION)
        info = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "isPartOf": self.prefix,
        }
        self._write(self._writer.create_warcinfo_record(path.name, info))

    def _write(self, record: ArcWarcRecord) -> ArchivedRecord:
        assert self._fh is not None and self._writer is not None and self._path is not None
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._dirty = True
        if not self._defer:
            self._sync()
        length = self._fh.tell() - offset
        headers = record.rec_headers
        digest = headers.get_header("WARC-Payload-Digest") or payload_digest(b"")
        return ArchivedRecord(
            path=self._path,
            offset=offset,
            length=length,
            record_id=headers.get_header("WARC-Record-ID"),
            payload_digest=digest,
        )


def _fsync_dir(directory: Path) -> None:
    """Make a newly created file's directory entry durable (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ArchivedPayload:
    """One page payload read back from a WARC.

    `payload` is the decoded content (Content-Encoding undone); `raw_payload` is the
    record's payload exactly as stored, which is what `payload_digest` covers and what a
    copy into another WARC must keep. `offset`/`length` locate the record's gzip member.
    """

    url: str | None
    date: datetime
    record_type: str
    content_type: str | None
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes
    path: Path
    offset: int
    length: int
    record_id: str
    payload_digest: str
    raw_payload: bytes = field(default=b"", repr=False)


def _decode_body(raw: bytes, headers: StatusAndHeaders) -> bytes:
    """Undo Content-Encoding (gzip, deflate, and br when available) and stray chunking."""
    encoding = (headers.get_header("content-encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        decomp = None
    elif encoding in BufferedReader.get_supported_decompressors():
        decomp = encoding
    else:
        return raw  # unknown coding: leave the bytes; the parser will say it is no page
    chunked = (headers.get_header("transfer-encoding") or "").lower() == "chunked"
    if decomp is None and not chunked:
        return raw
    reader_cls = ChunkedDataReader if chunked else BufferedReader
    reader = reader_cls(io.BytesIO(raw), decomp_type=decomp)
    return reader.read()


class PartialRecordError(ValueError):
    """A WARC ends with a partial record (a crash mid-write); :func:`repair_warc` cuts it."""


def iter_records(path: Path) -> Iterator[tuple[ArcWarcRecord, int, int, bytes]]:
    """Every record of a WARC with its offset, length and raw payload (digests checked).

    Yields ``(warcio record, offset, length, raw payload bytes)``. A digest mismatch
    raises ``warcio.exceptions.ArchiveLoadFailed``; a partial record (a crash mid-write)
    raises :class:`PartialRecordError` after the whole records before it.
    """
    path = Path(path)
    with open(path, "rb") as fh, open(path, "rb") as check:
        gzipped = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        it = ArchiveIterator(fh, check_digests="raise")
        for record in it:
            raw = record.raw_stream.read()  # reading to the end verifies the digests
            offset = it.get_record_offset()
            length = it.get_record_length()
            # warcio yields a record cut short as if it were whole: check its bytes
            if not _is_whole(check, offset, length, gzipped):
                size = path.stat().st_size
                raise PartialRecordError(
                    f"ends with a partial record ({size - offset} bytes at offset {offset}); "
                    "repair_warc() cuts it off"
                )
            yield record, offset, length, raw


def _is_whole(fh: io.BufferedReader, offset: int, length: int, gzipped: bool) -> bool:
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
    return _whole_record_length(data) == len(data)


def iter_payloads(path: Path) -> Iterator[ArchivedPayload]:
    """The page payloads of a WARC file, in file order, with their digests verified.

    Yields HTML ``response`` records (any status; Content-Encoding decoded) and
    ``resource`` / ``conversion`` records of ``text/plain`` or ``text/html`` (text
    renderings, as in Common Crawl WET files, and imported files). warcinfo, request,
    revisit and metadata records, and responses that are not HTML, are skipped; a
    revisit's payload can be resolved through :func:`iter_records` by its
    WARC-Refers-To.
    """
    path = Path(path)
    for record, offset, length, raw in iter_records(path):
        rec_type = record.rec_type
        rec_headers = record.rec_headers
        http = record.http_headers
        url = rec_headers.get_header("WARC-Target-URI") or None
        if rec_type == "response":
            if http is None:
                continue
            content_type = _media_type(http.get_header("content-type"))
            if content_type not in _HTML_TYPES:
                continue
            try:
                status: int | None = int(http.get_statuscode())
            except (TypeError, ValueError):
                status = None
            body = _decode_body(raw, http)
            headers = list(http.headers)
        elif rec_type in ("resource", "conversion"):
            content_type = _media_type(rec_headers.get_header("Content-Type"))
            if content_type not in _TEXT_TYPES:
                continue
            status = None
            body = raw
            headers = []
        else:
            continue
        digest = rec_headers.get_header("WARC-Payload-Digest")
        if not digest or not digest.lower().startswith("sha1:"):
            digest = payload_digest(raw)
        yield ArchivedPayload(
            url=url,
            date=_parse_warc_date(rec_headers.get_header("WARC-Date")),
            record_type=rec_type,
            content_type=content_type,
            http_status=status,
            http_headers=headers,
            payload=body,
            path=path,
            offset=offset,
            length=length,
            record_id=rec_headers.get_header("WARC-Record-ID") or "",
            payload_digest=digest,
            raw_payload=raw,
        )


# -- crash repair --------------------------------------------------------------------


def _whole_record_length(data: bytes) -> int | None:
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
        if _whole_record_length(bytes(out)) != len(out):
            return good
        good += used


def _whole_plain_prefix(fh: io.BufferedReader) -> int:
    """Bytes of an uncompressed WARC made of whole records."""
    data = fh.read()
    good = 0
    while good < len(data):
        n = _whole_record_length(data[good:])
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


def read_record_payload(path: Path, offset: int) -> bytes:
    """The decoded payload of the one record at `offset` (seek straight to its member)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        it = ArchiveIterator(fh, check_digests="raise")
        record = next(iter(it))
        raw = record.raw_stream.read()
        http = record.http_headers
        return _decode_body(raw, http) if http is not None else raw
