"""Reading WARC files back: every record streamed in file order, or one at its offset.

The mirror of :mod:`archive._writer`. Every read checks the record's WARC-Block-Digest
and WARC-Payload-Digest (warcio ``check_digests='raise'``), so a corrupted record raises
instead of returning bytes, and a record torn by a crash raises
:class:`PartialRecordError` instead of passing for whole. Payloads come back decoded
(Content-Encoding undone) next to the raw bytes their digest covers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime

from archive._framing import is_whole_at
from archive._writer import payload_digest
from parsers import HTML_TYPES, media_type

__all__ = [
    "ArchivedPayload",
    "PartialRecordError",
    "iter_payloads",
    "iter_records",
    "read_payload_at",
    "read_record_payload",
]

#: Media types of the resource / conversion records that count as pages (text renderings).
_TEXT_TYPES = ("text/plain", "text/html")


@dataclass(frozen=True)
class ArchivedPayload:
    """One record's payload read back from a WARC.

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
            if not is_whole_at(check, offset, length, gzipped):
                size = path.stat().st_size
                raise PartialRecordError(
                    f"ends with a partial record ({size - offset} bytes at offset {offset}); "
                    "repair_warc() cuts it off"
                )
            yield record, offset, length, raw


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
        if _is_page(record):
            yield _payload(record, raw, path, offset, length)


def read_payload_at(path: Path, offset: int) -> ArchivedPayload:
    """The one record at `offset` (any type), read by seeking straight to its gzip member.

    Digests are checked as in :func:`iter_records` (a mismatch raises warcio's
    ``ArchiveLoadFailed``); OSError when the file cannot be read, ValueError when no
    record starts at `offset`. The record is not checked for being whole: repair the
    file first (:func:`repair_warc`) when a crash may have torn it.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        fh.seek(offset)
        it = ArchiveIterator(fh, check_digests="raise")
        record = next(iter(it), None)
        if record is None:
            raise ValueError(f"no WARC record at offset {offset} of {path}")
        raw = record.raw_stream.read()  # reading to the end verifies the digests
        length = it.get_record_length()
    return _payload(record, raw, path, offset, length)


def read_record_payload(path: Path, offset: int) -> bytes:
    """The decoded payload of the one record at `offset` (seek straight to its member)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        it = ArchiveIterator(fh, check_digests="raise")
        record = next(iter(it))
        raw = record.raw_stream.read()
        http = record.http_headers
        return _decode_body(raw, http) if http is not None else raw


def _is_page(record: ArcWarcRecord) -> bool:
    """An HTML response, or a text resource / conversion (what :func:`iter_payloads` yields)."""
    if record.rec_type == "response":
        http = record.http_headers
        return http is not None and media_type(http.get_header("content-type")) in HTML_TYPES
    if record.rec_type in ("resource", "conversion"):
        return media_type(record.rec_headers.get_header("Content-Type")) in _TEXT_TYPES
    return False


def _payload(
    record: ArcWarcRecord, raw: bytes, path: Path, offset: int, length: int
) -> ArchivedPayload:
    """`record` as an ArchivedPayload: the HTTP status, headers and decoded body of an
    HTTP record, the raw block of any other (its type from the WARC Content-Type)."""
    rec_headers = record.rec_headers
    http = record.http_headers
    if http is not None:
        content_type = media_type(http.get_header("content-type"))
        status = _status(http)
        body = _decode_body(raw, http)
        headers = list(http.headers)
    else:
        content_type = media_type(rec_headers.get_header("Content-Type"))
        status = None
        body = raw
        headers = []
    digest = rec_headers.get_header("WARC-Payload-Digest")
    if not digest or not digest.lower().startswith("sha1:"):
        digest = payload_digest(raw)
    return ArchivedPayload(
        url=rec_headers.get_header("WARC-Target-URI") or None,
        date=_parse_warc_date(rec_headers.get_header("WARC-Date")),
        record_type=record.rec_type,
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


def _status(http: StatusAndHeaders) -> int | None:
    """The status code of an HTTP response's status line (None when it has none)."""
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return None


def _parse_warc_date(value: str | None) -> datetime:
    if not value:
        raise ValueError("record has no WARC-Date")
    parsed: datetime = iso_date_to_datetime(value)  # warcio is untyped
    return parsed.replace(tzinfo=UTC)


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
    body: bytes = reader.read()  # warcio is untyped
    return body
