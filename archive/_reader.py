"""Reading WARC files back: every readable record streamed in file order, or one at its offset.

The mirror of :mod:`archive._writer`. Every read checks the record's WARC-Block-Digest
and WARC-Payload-Digest (warcio ``check_digests='raise'``). What cannot be read — a
damaged gzip member, a record whose digest fails, a record torn by a crash, a body that
decodes past the cap — is a :class:`RecordError` naming the file and offset, and the read
goes on with the next record: one bad byte costs one record, never the rest of the file.

``scan_records`` / ``scan_payloads`` yield the errors in file order between the records;
``iter_records`` / ``iter_payloads`` append them to an `errors` list, or, without one,
raise :class:`DamagedWarcError` once every readable record has been yielded. Payloads
come back decoded (Content-Encoding undone, at most :data:`MAX_BODY_BYTES`) next to the
raw bytes their digest covers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime

from archive._decode import BodyOverCap, decode_body
from archive._scan import (
    DamagedWarcError,
    PartialRecordError,
    RecordError,
    Span,
    read_span_at,
    scan,
)
from archive._writer import payload_digest
from parsers import HTML_TYPES, media_type

__all__ = [
    "ArchivedPayload",
    "DamagedWarcError",
    "PartialRecordError",
    "RecordError",
    "iter_payloads",
    "iter_records",
    "read_payload_at",
    "read_record_payload",
    "scan_payloads",
    "scan_records",
]

#: Media types of the resource / conversion records that count as pages (text renderings).
_TEXT_TYPES = ("text/plain", "text/html")
#: The other record types ``scan_payloads(pages_only=False)`` yields (without a payload).
_EVENT_TYPES = ("response", "revisit", "metadata")

#: One record read back: (warcio record, offset, length, raw payload bytes).
RecordRead = tuple[ArcWarcRecord, int, int, bytes]
T = TypeVar("T")


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
    #: where a record copied from another archive came from: its ``WARC-Source-URI``, with
    #: ``#`` and its ``WARC-Source-Range`` when it names one (None for our own captures)
    source_uri: str | None = None
    #: the record's WARC header fields (name, value), the extension fields included
    warc_fields: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def warc_field(self, name: str) -> str | None:
        """The value of the WARC header field `name` (case-insensitive), or None."""
        low = name.lower()
        return next((v for k, v in self.warc_fields if k.lower() == low), None)


def scan_records(path: Path) -> Iterator[RecordRead | RecordError]:
    """Every record of a WARC with its offset, length and raw payload (digests checked),
    and a :class:`RecordError` in its place for each stretch that cannot be read."""
    path = Path(path)
    for span in scan(path):
        if isinstance(span, RecordError):
            yield span
            continue
        try:
            record, raw = _parse(span)
        except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on bad records
            yield RecordError(path, span.offset, span.length, _damage(exc))
            continue
        yield record, span.offset, span.length, raw


def iter_records(path: Path, *, errors: list[RecordError] | None = None
                 ) -> Iterator[RecordRead]:
    """Every readable record of a WARC: ``(warcio record, offset, length, raw payload)``.

    Records that cannot be read are skipped: appended to `errors` when given, else raised
    together as :class:`DamagedWarcError` (:class:`PartialRecordError` when the only one
    is a torn tail) after the last readable record.
    """
    return _collect(scan_records(path), errors)


def scan_payloads(path: Path, *, pages_only: bool = True
                  ) -> Iterator[ArchivedPayload | RecordError]:
    """The page payloads of a WARC file, in file order, digests verified, with a
    :class:`RecordError` for every record that cannot be read or decoded (over the cap).

    Yields HTML ``response`` records (any status; Content-Encoding decoded) and
    ``resource`` / ``conversion`` records of ``text/plain`` or ``text/html`` (text
    renderings, as in Common Crawl WET files, and imported files). warcinfo, request,
    revisit and metadata records, and responses that are not HTML, are skipped; a
    revisit's payload can be resolved through :func:`iter_records` by its
    WARC-Refers-To. With `pages_only` false, the other response, revisit and metadata
    records come too, with an empty `payload` (their status and fields are what counts).
    """
    path = Path(path)
    for item in scan_records(path):
        if isinstance(item, RecordError):
            yield item
            continue
        record, offset, length, raw = item
        if not _is_page(record):
            if not pages_only and record.rec_type in _EVENT_TYPES:
                yield _payload(record, b"", path, offset, length, decode=False)
            continue
        try:
            yield _payload(record, raw, path, offset, length)
        except BodyOverCap as exc:
            yield RecordError(path, offset, length, str(exc))


def iter_payloads(path: Path, *, errors: list[RecordError] | None = None,
                  pages_only: bool = True) -> Iterator[ArchivedPayload]:
    """The readable page payloads of :func:`scan_payloads`; the errors go to `errors`, or
    are raised after the last payload (as in :func:`iter_records`)."""
    return _collect(scan_payloads(path, pages_only=pages_only), errors)


def read_payload_at(path: Path, offset: int) -> ArchivedPayload:
    """The one record at `offset` (any type), read by seeking straight to it.

    OSError when the file cannot be read; ValueError when no whole record starts at
    `offset`: :class:`DamagedWarcError` when its bytes are damaged or torn or its digest
    fails, :class:`~archive.BodyOverCap` when its body decodes over the cap.
    """
    path = Path(path)
    span = read_span_at(path, offset)
    record, raw = _parse_checked(path, span)
    return _payload(record, raw, path, offset, span.length)


def read_record_payload(path: Path, offset: int) -> bytes:
    """The decoded payload of the one record at `offset` (errors as :func:`read_payload_at`)."""
    path = Path(path)
    record, raw = _parse_checked(path, read_span_at(path, offset))
    http = record.http_headers
    return decode_body(raw, http) if http is not None else raw


def _collect(items: Iterable[T | RecordError], errors: list[RecordError] | None
             ) -> Iterator[T]:
    """The items that are not errors; the errors into `errors`, or raised at the end."""
    found: list[RecordError] = []
    for item in items:
        if isinstance(item, RecordError):
            (errors if errors is not None else found).append(item)
        else:
            yield item
    if found:
        cls = PartialRecordError if all(e.torn for e in found) else DamagedWarcError
        raise cls(found)


def _parse(span: Span) -> tuple[ArcWarcRecord, bytes]:
    """The warcio record in a whole record's bytes, and its raw payload (digests checked)."""
    it = ArchiveIterator(io.BytesIO(span.data), check_digests="raise")
    record = next(iter(it))
    raw: bytes = record.raw_stream.read()  # reading to the end verifies the digests
    return record, raw


def _parse_checked(path: Path, span: Span) -> tuple[ArcWarcRecord, bytes]:
    try:
        return _parse(span)
    except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on bad records
        raise DamagedWarcError([RecordError(path, span.offset, span.length, _damage(exc))]
                               ) from exc


def _damage(exc: Exception) -> str:
    """Why a whole record could not be used, in one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "digest failed" in text:
        return f"damaged WARC record: {text}"
    return f"unreadable WARC record: {text}"


def _is_page(record: ArcWarcRecord) -> bool:
    """An HTML response, or a text resource / conversion (what :func:`iter_payloads` yields)."""
    if record.rec_type == "response":
        http = record.http_headers
        return http is not None and media_type(http.get_header("content-type")) in HTML_TYPES
    if record.rec_type in ("resource", "conversion"):
        return media_type(record.rec_headers.get_header("Content-Type")) in _TEXT_TYPES
    return False


def _payload(
    record: ArcWarcRecord, raw: bytes, path: Path, offset: int, length: int,
    *, decode: bool = True,
) -> ArchivedPayload:
    """`record` as an ArchivedPayload: the HTTP status, headers and decoded body of an
    HTTP record, the raw block of any other (its type from the WARC Content-Type)."""
    rec_headers = record.rec_headers
    http = record.http_headers
    if http is not None:
        content_type = media_type(http.get_header("content-type"))
        status = _status(http)
        body = decode_body(raw, http) if decode else raw
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
        source_uri=_source_uri(rec_headers),
        warc_fields=tuple(rec_headers.headers),
    )


def _source_uri(rec_headers: StatusAndHeaders) -> str | None:
    """``WARC-Source-URI`` (+ ``#WARC-Source-Range``): a backfilled record's origin."""
    uri = rec_headers.get_header("WARC-Source-URI")
    if not uri:
        return None
    rng = rec_headers.get_header("WARC-Source-Range")
    return f"{uri}#{rng}" if rng else uri


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
