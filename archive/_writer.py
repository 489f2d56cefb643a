"""Writing WARC files: captures appended durably, one gzip member per record.

The archive is the project's source of truth, so the writer is strict about two things:

* **Layout.** WARC 1.1, gzipped with one gzip member per record, so a record's byte offset
  and length (kept in the warehouse) let a reader seek straight to it
  (:func:`archive.read_payload_at`).
* **Durability.** Every write ends with flush + ``os.fsync`` (or, inside
  :meth:`WarcWriter.deferred_sync`, the group of records ends with one; inside
  :meth:`WarcWriter.unsynced`, the caller syncs through :meth:`WarcWriter.sync_handle`):
  a SIGKILL loses at most the records not yet synced, which nothing else refers to yet, and
  :func:`archive.repair_warc` moves a torn tail aside.

warcio builds and serializes the records; this module adds the naming, rotation and
syncing around it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive._naming import warc_name

__all__ = ["ArchivedRecord", "WarcWriter", "payload_digest", "warc_date"]

WARC_VERSION = "WARC/1.1"


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest of `body`: ``'sha1:'`` + base32 of its SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(date: datetime) -> str:
    """`date` as a WARC 1.1 WARC-Date (UTC, microseconds when there are any).

    A naive datetime is taken to be UTC already.
    """
    if date.tzinfo is not None:
        date = date.astimezone(UTC).replace(tzinfo=None)
    iso: str = datetime_to_iso_date(date, use_micros=True)  # warcio is untyped
    return iso


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
        warc_headers: Mapping[str, str] | None = None,
    ) -> ArchivedRecord:
        """Archive an HTTP response: status line, headers and entity body.

        `body` is the entity body as received with its Content-Encoding kept (so the
        payload digest is the server's bytes) but any chunked transfer coding removed;
        a ``Transfer-Encoding`` header is therefore kept as
        ``X-Archive-Orig-Transfer-Encoding``, so readers do not try to de-chunk.
        `warc_headers` adds WARC header fields, e.g. the provenance of a capture copied
        from a web archive (``WARC-Source-URI``).
        """
        return self._write_payload(url, "response", body, date, concurrent_to,
                                   warc_headers=warc_headers,
                                   http_headers=_response_headers(status, reason, headers))

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
        warc_headers: Mapping[str, str] | None = None,
    ) -> ArchivedRecord:
        """Archive a response whose payload equals an earlier one (identical-payload-digest
        revisit profile): status line and headers only, pointing at the original record;
        `warc_headers` as for :meth:`write_response`."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        http = _response_headers(status, reason, headers)
        w = self._ensure_open()
        record = w.create_revisit_record(
            url,
            payload_digest,
            refers_to_url,
            warc_date(refers_to_date),
            http_headers=http,
            warc_headers_dict={
                **(warc_headers or {}),
                "WARC-Date": warc_date(date),
                "WARC-Refers-To": refers_to_record_id,
            },
        )
        return self._write(record)

    def write_resource(
        self, url: str | None, *, content_type: str, body: bytes, date: datetime
    ) -> ArchivedRecord:
        """Archive bytes that did not come from an HTTP exchange (an imported file)."""
        return self._write_payload(url or "", "resource", body, date,
                                   warc_content_type=content_type)

    def write_metadata(
        self,
        url: str,
        *,
        fields: list[tuple[str, str]],
        date: datetime,
        concurrent_to: str | None = None,
        warc_headers: Mapping[str, str] | None = None,
    ) -> ArchivedRecord:
        """Archive facts about a capture event as a ``metadata`` record of
        ``application/warc-fields`` (``name: value`` lines), e.g. why a request got no
        usable response; `concurrent_to` links it to that request's record."""
        body = "".join(f"{name}: {' '.join(value.split())}\r\n" for name, value in fields)
        return self._write_payload(url, "metadata", body.encode("utf-8"), date, concurrent_to,
                                   warc_headers=warc_headers,
                                   warc_content_type="application/warc-fields")

    def _write_payload(self, url: str, rec_type: str, body: bytes, date: datetime,
                       concurrent_to: str | None = None, *,
                       warc_headers: Mapping[str, str] | None = None,
                       **kwargs: Any) -> ArchivedRecord:
        """Write one record carrying `body` (response, resource, metadata), dated `date`,
        linked to `concurrent_to`'s record when given, with any extra `warc_headers`."""
        fields = {**(warc_headers or {}), "WARC-Date": warc_date(date)}
        if concurrent_to:
            fields["WARC-Concurrent-To"] = concurrent_to
        record = self._ensure_open().create_warc_record(
            url, rec_type, payload=io.BytesIO(body), length=len(body),
            warc_headers_dict=fields, **kwargs,
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

    @contextmanager
    def unsynced(self) -> Iterator[None]:
        """Write records without syncing them, not even at the block's end: the caller
        syncs them later, beside further writes (:meth:`sync_handle`; a group commit,
        :mod:`flows.archiver`). Refer to them only after that sync."""
        self._defer += 1
        try:
            yield
        finally:
            self._defer -= 1

    def sync_handle(self) -> int | None:
        """Flush what is written and return a duplicate of the current file's descriptor:
        ``os.fsync`` it (outside the caller's lock, writes may go on meanwhile) and close
        it; everything written before this call is then durable. None when nothing
        written awaits a sync. (A file left by rotation was synced as it was closed.)"""
        if self._fh is None or not self._dirty:
            return None
        self._fh.flush()
        self._dirty = False
        return os.dup(self._fh.fileno())

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
            path = self.directory / warc_name(self.prefix, stamp, self._serial)
            try:
                fh = open(path, "xb")  # noqa: SIM115 - kept open across calls
            except FileExistsError:
                continue
            break
        fsync_dir(self.directory)
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


def _response_headers(status: int, reason: str, headers: list[tuple[str, str]]) -> StatusAndHeaders:
    """A response's status line and headers, ``Transfer-Encoding`` kept as
    ``X-Archive-Orig-Transfer-Encoding`` (the body is stored de-chunked)."""
    kept = [
        ("X-Archive-Orig-Transfer-Encoding", v) if k.lower() == "transfer-encoding" else (k, v)
        for k, v in headers
    ]
    return StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")


def fsync_dir(directory: Path) -> None:
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
