"""Packaging the archive as one WACZ 1.1 file, for ReplayWeb.page, pywb and other archives.

A WACZ is a ZIP holding ``archive/*.warc.gz`` (stored, not recompressed),
``indexes/index.cdx.gz`` + ``indexes/index.idx`` (a compressed CDXJ index, built by
``cdxj_indexer`` with the settings of Webrecorder's ``wacz create``), ``pages/pages.jsonl``
(one line per comparison page capture) and ``datapackage.json`` (each file's sha256 and
size) with ``datapackage-digest.json``.

Why not ``wacz create`` itself: it indexes and copies each WARC in two separate reads, so
a file a running crawl appends to between them, or a damaged member, breaks the package;
its page detection needs Referer headers a crawl does not send; it writes in place and
prints to stdout. Here each WARC is scanned once (:func:`archive.scan_records`, digests
checked), only whole readable records are copied, byte for byte, gzip members as they are,
and the index is built from the bytes inside the ZIP, so index and data always agree.
Damaged or torn members and ``archive/quarantine/`` are left out and reported. Streaming:
one record in memory at a time, plus per-file offsets and the page list.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from wacz.util import WACZ_VERSION, get_py_wacz_version
from warcio.recordloader import ArcWarcRecord

from archive._decode import BodyOverCap, decode_body
from archive._naming import warc_files
from archive._reader import scan_records
from archive._repair import QUARANTINE_DIRNAME
from archive._scan import RecordError
from archive._writer import fsync_dir
from parsers import HTML_TYPES, ParseError, is_comparison_url, media_type, parse_comparison

__all__ = ["DateRange", "NothingToExport", "WaczExport", "export_wacz"]

_CHUNK = 1 << 20
_INDEX_LINES = 1024  # CDXJ lines per compressed block: ArchiveWeb.page's and `wacz create`'s
_INDEX_FIELDS = "referrer,req.http:cookie"  # the extra fields `wacz create` indexes


@dataclass(frozen=True)
class DateRange:
    """WARC-Dates from `start` (inclusive) to `end` (exclusive), both aware; None: open."""

    start: datetime | None = None
    end: datetime | None = None

    def __contains__(self, when: object) -> bool:
        if not isinstance(when, datetime):
            return False
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


@dataclass(frozen=True)
class WaczExport:
    """What :func:`export_wacz` wrote: counts, size, and what it left out (and why)."""

    path: Path
    warcs: int
    records: int
    pages: int
    bytes: int
    left_out: list[RecordError] = field(default_factory=list)
    quarantined: list[Path] = field(default_factory=list)


class NothingToExport(ValueError):
    """No readable record (in the date range) to package: no file is written."""


@dataclass(frozen=True)
class _Page:
    """One pages.jsonl line; `refers_to`: the original record of a revisit."""

    id: str
    url: str
    ts: str
    title: str | None
    refers_to: str | None = None


@dataclass
class _Row:
    offset: int
    length: int
    record_id: str
    concurrent_to: str | None
    keep: bool
    warcinfo: bool


@dataclass
class _Source:
    """One source WARC's share of the package: the byte ranges to copy, in file order."""

    path: Path
    ranges: list[tuple[int, int]]
    records: int
    pages: list[_Page]
    errors: list[RecordError]


def export_wacz(archive_dir: Path, out: Path, *, dates: DateRange | None = None,
                title: str = "Verdict Archive") -> WaczExport:
    """Package the WARCs in `archive_dir` (the records dated within `dates`, if given) as
    the WACZ file `out`, written to a temporary file beside it and renamed into place.

    NothingToExport when no readable record is in range; OSError when `out` cannot be
    written (the temporary file is removed).
    """
    archive_dir, out = Path(archive_dir), Path(out)
    quarantine = archive_dir / QUARANTINE_DIRNAME
    quarantined = sorted(p for p in quarantine.iterdir() if p.is_file()
                         ) if quarantine.is_dir() else []
    titles: dict[str, str | None] = {}  # page response record id -> title
    sources = [_plan(p, dates, titles) for p in warc_files(archive_dir)]
    left_out = [e for s in sources for e in s.errors]
    kept = [s for s in sources if s.records]
    if not kept:
        where = f"in {archive_dir}" if dates is None else f"dated in the range in {archive_dir}"
        raise NothingToExport(f"no readable WARC record {where}")
    resolved = (_resolve(p, titles) for s in kept for p in s.pages)
    pages = [p for p in resolved if p is not None]
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "w+b") as fh:
            _write_package(fh, kept, pages, title, dates)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(out.parent)
    return WaczExport(path=out, warcs=len(kept), records=sum(s.records for s in kept),
                      pages=len(pages), bytes=out.stat().st_size, left_out=left_out,
                      quarantined=quarantined)


def _write_package(fh: IO[bytes], sources: list[_Source], pages: list[_Page], title: str,
                   dates: DateRange | None) -> None:
    """The ZIP: WARCs, then the index built from them, pages, and the datapackage."""
    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        resources = [_copy_warc(zf, s) for s in sources]
        resources += _write_index(zf, [f"archive/{s.path.name}" for s in sources])
        resources.append(_write_member(zf, "pages/pages.jsonl", _pages_jsonl(pages)))
        package = _datapackage(resources, title, dates)
        _write_member(zf, "datapackage.json", package)
        digest = {"path": "datapackage.json",
                  "hash": "sha256:" + hashlib.sha256(package).hexdigest()}
        _write_member(zf, "datapackage-digest.json", json.dumps(digest, indent=2).encode())


# -- planning: which records of each file go in ----------------------------------------

def _plan(path: Path, dates: DateRange | None, titles: dict[str, str | None]) -> _Source:
    """Scan one WARC: its readable records (those dated in `dates`, with the records
    concurrent to them and the file's warcinfo), their pages, and its unreadable stretches."""
    rows: list[_Row] = []
    pages: list[_Page] = []
    errors: list[RecordError] = []
    for item in scan_records(path):
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        record, offset, length, raw = item
        headers = record.rec_headers
        when = _warc_date(headers.get_header("WARC-Date"))
        if when is None:
            errors.append(RecordError(path, offset, length, "record without a valid WARC-Date"))
            continue
        keep = record.rec_type == "warcinfo" or dates is None or when in dates
        rows.append(_Row(offset, length, headers.get_header("WARC-Record-ID") or "",
                         headers.get_header("WARC-Concurrent-To"), keep,
                         record.rec_type == "warcinfo"))
        page = _page(record, raw, when, titles) if keep else None
        if page is not None:
            pages.append(page)
    _link(rows)
    ranges: list[tuple[int, int]] = []
    for row in rows:
        if not row.keep:
            continue
        if ranges and sum(ranges[-1]) == row.offset:
            ranges[-1] = (ranges[-1][0], ranges[-1][1] + row.length)
        else:
            ranges.append((row.offset, row.length))
    records = sum(1 for r in rows if r.keep and not r.warcinfo)
    return _Source(path, ranges if records else [], records, pages, errors)


def _link(rows: list[_Row]) -> None:
    """Keep the records of one exchange together: a record concurrent to a kept one (a
    request's response or failure metadata) is kept, and so is its partner; a warcinfo
    only when some other record of its file is."""
    kept = {r.record_id for r in rows if r.keep and not r.warcinfo}
    for row in rows:
        if row.concurrent_to and (row.record_id in kept or row.concurrent_to in kept):
            kept.update((row.record_id, row.concurrent_to))
    for row in rows:
        row.keep = (bool(kept) if row.warcinfo else row.record_id in kept)


def _page(record: ArcWarcRecord, raw: bytes, when: datetime,
          titles: dict[str, str | None]) -> _Page | None:
    """The pages.jsonl entry of a comparison page capture: a 2xx HTML response, an HTML
    resource (an imported file), or a revisit with status 200 (its original's payload);
    None for any other record."""
    headers, http = record.rec_headers, record.http_headers
    url = headers.get_header("WARC-Target-URI") or ""
    kind = record.rec_type
    if kind not in ("response", "revisit", "resource") or not is_comparison_url(url):
        return None
    record_id = headers.get_header("WARC-Record-ID") or ""
    page_id = record_id.removeprefix("<urn:uuid:").removesuffix(">").replace("-", "")
    ts = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    status = (http.get_statuscode() or "") if http is not None else ""
    if kind == "revisit":  # a 304 replays as "not modified", not as the page
        refers_to = headers.get_header("WARC-Refers-To")
        return _Page(page_id, url, ts, None, refers_to) if status == "200" else None
    if kind == "resource":
        ctype = headers.get_header("Content-Type")
    elif http is not None and status.startswith("2"):
        ctype = http.get_header("content-type")
    else:
        return None
    if media_type(ctype) not in HTML_TYPES:
        return None
    titles[record_id] = _title(raw, record, url)
    return _Page(page_id, url, ts, titles[record_id])


def _title(raw: bytes, record: ArcWarcRecord, url: str) -> str | None:
    """The page's visible title (``A vs B``), or None when it does not parse."""
    http = record.http_headers
    try:
        body = decode_body(raw, http) if http is not None else raw
        return parse_comparison(body, url=url, content_type="text/html").title
    except (ParseError, BodyOverCap):
        return None


def _resolve(page: _Page, titles: dict[str, str | None]) -> _Page | None:
    """A revisit page gets its original's title; without its original in the package it
    cannot replay, so it is no page."""
    if page.refers_to is None:
        return page
    if page.refers_to not in titles:
        return None
    return _Page(page.id, page.url, page.ts, titles[page.refers_to])


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


# -- writing the ZIP members ------------------------------------------------------------

def _zip_info(name: str, *, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


def _resource(name: str, digest: Any, size: int) -> dict[str, Any]:
    return {"name": posixpath.basename(name).lower(), "path": name,
            "hash": "sha256:" + digest.hexdigest(), "bytes": size}


def _copy_warc(zf: zipfile.ZipFile, source: _Source) -> dict[str, Any]:
    """``archive/<name>``: the source's kept byte ranges, copied as they are (stored)."""
    name = f"archive/{source.path.name}"
    info = _zip_info(name, compress=False)
    info.file_size = sum(length for _, length in source.ranges)
    digest = hashlib.sha256()
    with open(source.path, "rb") as src, zf.open(info, "w") as dst:
        for start, length in source.ranges:
            src.seek(start)
            for chunk in _read(src, length):
                digest.update(chunk)
                dst.write(chunk)
    return _resource(name, digest, info.file_size)


def _read(fh: IO[bytes], length: int) -> Iterator[bytes]:
    """`length` bytes of `fh` in chunks; OSError when the file is shorter now."""
    left = length
    while left > 0:
        chunk = fh.read(min(left, _CHUNK))
        if not chunk:
            raise OSError(f"{getattr(fh, 'name', 'WARC')}: shorter than when it was scanned")
        left -= len(chunk)
        yield chunk


def _write_member(zf: zipfile.ZipFile, name: str, data: bytes | IO[bytes], *,
                  compress: bool = True) -> dict[str, Any]:
    """One member from bytes or a file (read in chunks); its datapackage resource."""
    digest, size = hashlib.sha256(), 0
    with zf.open(_zip_info(name, compress=compress), "w") as dst:
        chunks = [data] if isinstance(data, bytes) else iter(lambda: data.read(_CHUNK), b"")
        for chunk in chunks:
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return _resource(name, digest, size)


def _write_index(zf: zipfile.ZipFile, names: list[str]) -> list[dict[str, Any]]:
    """``indexes/index.cdx.gz`` (sorted CDXJ in gzip blocks of 1024 lines) and
    ``indexes/index.idx`` (one line per block), indexed from the WARCs already in `zf`."""
    with tempfile.TemporaryFile() as blocks, tempfile.TemporaryFile("w+") as idx:
        entries = [zf.open(n) for n in names]
        try:
            _index(idx, entries, blocks)
        finally:
            for entry in entries:
                entry.close()
        blocks.seek(0)
        idx.seek(0)
        return [
            _write_member(zf, "indexes/index.cdx.gz", blocks, compress=False),
            _write_member(zf, "indexes/index.idx", idx.read().encode()),
        ]


def _index(idx: IO[str], entries: list[IO[bytes]], blocks: IO[bytes]) -> None:
    """Sorted CDXJ of `entries` (WARCs in the ZIP) into gzip `blocks`, one `idx` line each."""
    # imported here: cdxj_indexer brings surt, tldextract and pyamf (0.3 s), for exports only
    from cdxj_indexer.main import CDXJIndexer

    class EntryIndexer(CDXJIndexer):  # type: ignore[misc]  # cdxj_indexer is untyped
        """Each CDXJ line names the WARC's file name (the entry's, not a path on disk)."""

        def _resolve_rel_path(self, filename: Any) -> str:
            return posixpath.basename(str(getattr(filename, "name", filename)))

    EntryIndexer(idx, entries, sort=True, post_append=True, compress=blocks,
                 lines=_INDEX_LINES, fields=_INDEX_FIELDS,
                 data_out_name="index.cdx.gz").process_all()


def _pages_jsonl(pages: list[_Page]) -> bytes:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Comparison pages"}
    lines = [header] + [
        {"id": p.id, "url": p.url, "ts": p.ts, **({"title": p.title} if p.title else {})}
        for p in pages
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def _datapackage(resources: list[dict[str, Any]], title: str, dates: DateRange | None) -> bytes:
    package: dict[str, Any] = {"profile": "data-package", "resources": resources, "title": title}
    if dates is not None and (dates.start or dates.end):
        start = dates.start.isoformat() if dates.start else "the first capture"
        end = dates.end.isoformat() if dates.end else "the last capture"
        package["description"] = f"Records with a WARC-Date from {start} until before {end}."
    package["created"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    package["wacz_version"] = WACZ_VERSION
    package["software"] = f"verdict-archive (py-wacz {get_py_wacz_version()})"
    return json.dumps(package, indent=2).encode()
