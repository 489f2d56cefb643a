"""Past captures of the replica's comparison pages, written as a pywb collection.

`build_collection` plays a public web archive crawling the replica now and then: each live
comparison page is captured on about one day in `every` (a hash of seed, path and day
decides), sometimes twice on a day (identical bytes, so the CDX shows a digest duplicate),
at `stamp(day)` plus a per-(page, day) offset of up to six hours. Bodies are the replica's
own renderings for that day with `base_url` embedded, so a capture parses to exactly
`Catalog(world, day).comparison(path).expected(url)`. One WARC file per day holds request +
response records; pywb's `cdx-indexer` (a subprocess of the separate pywb venv) indexes them
into `collections/<collection>/indexes/index.cdxj`.

With `oddities=True` a few captures are wrong on purpose (see `CaptureKind`): a soft-404
(status 200, not a comparison page) under /compare/, a capture whose CDX digest was rewritten,
and non-200 captures (a 301 from the reversed pair, and a 404/410 of a removed page if one
exists among the days).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from enum import StrEnum
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from replica import render
from replica.catalog import DEFAULT_TEMPLATE_DAY, Catalog, World, compare_path, day_date
from replica.server import SERVER_NAME

HTML = "text/html; charset=utf-8"
USER_AGENT = "replica-archiver/1.0 (+local web archive stand-in)"
REASONS = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 410: "Gone"}


class CaptureKind(StrEnum):
    """What a capture holds (only "comparison" captures are good backfill material)."""

    COMPARISON = "comparison"
    NOT_COMPARISON = "not_comparison"  # 200 under /compare/, but a soft-404 page
    BAD_DIGEST = "bad_digest"  # a real page; its CDX digest does not match the payload
    NOT_200 = "not_200"  # a 301 or 404/410 capture


@dataclass(frozen=True)
class ArchivedCapture:
    """One memento in the local archive: the truth tests compare a backfill against."""

    url: str  # original URL: base_url + path
    path: str  # /compare/a-vs-b
    day: int  # replica day whose page state it holds
    captured_at: datetime  # aware UTC
    timestamp: str  # 14-digit wayback timestamp of captured_at
    digest: str  # as the CDX shows it (base32 sha1, no "sha1:")
    kind: str = CaptureKind.COMPARISON
    status: int = 200
    payload_digest: str = ""  # the payload's true base32 sha1 (differs for bad_digest)
    filename: str = ""  # WARC file name inside collections/<c>/archive/
    offset: int = -1  # the record's gzip member in that file
    length: int = -1


def wayback_timestamp(when: datetime) -> str:
    """The 14-digit timestamp (UTC) archives use in CDX lines and memento URLs."""
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def sha1_base32(data: bytes) -> str:
    """A payload digest the way CDX lines show it."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def noon_stamp(day: int) -> datetime:
    """The default capture base time: noon UTC of the day (the replica's own clock)."""
    d = day_date(day)
    return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)


def _h(*parts: object) -> int:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass
class _Shot:
    """A capture being written: its truth plus the HTTP response it records."""

    capture: ArchivedCapture
    body: bytes
    headers: list[tuple[str, str]]


def _response_headers(body: bytes, when: datetime,
                      extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("Date", format_datetime(when, usegmt=True)), ("Server", SERVER_NAME),
            ("Content-Type", HTML), ("Content-Length", str(len(body))), *extra]


def _shot(base_url: str, path: str, day: int, when: datetime, body: bytes, *,
          kind: CaptureKind = CaptureKind.COMPARISON, status: int = 200,
          extra: list[tuple[str, str]] | None = None) -> _Shot:
    digest = sha1_base32(body)
    cap = ArchivedCapture(url=base_url + path, path=path, day=day, captured_at=when,
                          timestamp=wayback_timestamp(when), digest=digest, kind=kind,
                          status=status, payload_digest=digest)
    return _Shot(cap, body, _response_headers(body, when, extra or []))


def _page_shots(cat: Catalog, base_url: str, seed: int, every: int,
                base: datetime) -> list[_Shot]:
    """The day's ordinary captures: about one live page in `every`, a few twice."""
    out: list[_Shot] = []
    for path in cat.paths():
        if _h("capture", seed, path, cat.day) % every:
            continue
        page = cat.comparison(path)
        assert page is not None
        body = render.render_comparison(page, base_url=base_url, epoch=cat.template)
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        extra = [("ETag", etag),
                 ("Last-Modified", format_datetime(cat.lastmod(path), usegmt=True))]
        first = base + timedelta(seconds=_h("offset", seed, path, cat.day) % 21600)
        out.append(_shot(base_url, path, cat.day, first, body, extra=extra))
        if _h("again", seed, path, cat.day) % 6 == 0:  # a digest duplicate the same day
            again = first + timedelta(hours=6, seconds=_h("again-at", path) % 3600)
            out.append(_shot(base_url, path, cat.day, again, body, extra=extra))
    return out


def _pick(paths: Sequence[str], seed: int, salt: str) -> str:
    return min(paths, key=lambda p: _h(salt, seed, p))


def _odd_shots(cat: Catalog, base_url: str, seed: int, base: datetime) -> list[_Shot]:
    """The deliberate oddities of one day (see the module docstring)."""
    at = base + timedelta(hours=18)
    paths = cat.paths()
    out: list[_Shot] = []
    # a soft-404: a pair that never had a page answers 200 with the not-found page
    slugs = sorted(cat.tools)
    pair = next(compare_path(a, b) for a in slugs for b in slugs
                if a < b and compare_path(a, b) not in cat.world.pages)
    soft = render.render_error(404, pair, base_url=base_url, epoch=cat.template)
    out.append(_shot(base_url, pair, cat.day, at, soft, kind=CaptureKind.NOT_COMPARISON))
    # a real page whose index line will carry another digest
    path = _pick(paths, seed, "bad-digest")
    page = cat.comparison(path)
    assert page is not None
    body = render.render_comparison(page, base_url=base_url, epoch=cat.template)
    out.append(_shot(base_url, path, cat.day, at + timedelta(minutes=1), body,
                     kind=CaptureKind.BAD_DIGEST))
    # the reversed pair redirects to the page
    path = _pick(paths, seed, "redirect")
    rec = cat.pages[path]
    rev = f"/compare/{rec.slug_b}-vs-{rec.slug_a}"
    loc = base_url + path
    moved = (f'<!DOCTYPE html><html><head><title>Moved</title></head><body><p>Moved to '
             f'<a href="{loc}">{loc}</a>.</p></body></html>').encode()
    out.append(_shot(base_url, rev, cat.day, at + timedelta(minutes=2), moved,
                     kind=CaptureKind.NOT_200, status=301, extra=[("Location", loc)]))
    if cat.gone:  # a removed page's 404/410
        gone = _pick(sorted(cat.gone), seed, "gone")
        status = cat.gone[gone]
        body = render.render_error(status, gone, base_url=base_url, epoch=cat.template)
        out.append(_shot(base_url, gone, cat.day, at + timedelta(minutes=3), body,
                         kind=CaptureKind.NOT_200, status=status))
    return out


def _write_warc(path: Path, shots: list[_Shot]) -> None:
    """Request + response records per capture, in capture-time order."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for shot in sorted(shots, key=lambda s: (s.capture.captured_at, s.capture.url)):
            cap = shot.capture
            date = cap.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            host = cap.url.split("/")[2]
            req_headers = StatusAndHeaders(
                f"GET {cap.path} HTTP/1.1",
                [("Host", host), ("User-Agent", USER_AGENT), ("Accept", "*/*")],
                is_http_request=True)
            http = StatusAndHeaders(f"{cap.status} {REASONS.get(cap.status, 'Unknown')}",
                                    shot.headers, protocol="HTTP/1.1")
            resp = writer.create_warc_record(cap.url, "response",
                                             payload=io.BytesIO(shot.body),
                                             http_headers=http,
                                             warc_headers_dict={"WARC-Date": date})
            req = writer.create_warc_record(cap.url, "request", payload=io.BytesIO(b""),
                                            http_headers=req_headers,
                                            warc_headers_dict={"WARC-Date": date})
            writer.write_request_response_pair(req, resp)


def _index(archive: Path, shots: list[_Shot]) -> tuple[list[str], list[ArchivedCapture]]:
    """cdx-indexer over the archive dir; bad_digest lines get their digest rewritten and
    every capture learns its filename/offset/length."""
    from replica.wayback import pywb_bin

    out = subprocess.run([str(pywb_bin("cdx-indexer")), "-j", "-s", "-d", str(archive),
                          "-o", "-", str(archive)], capture_output=True, check=True,
                         text=True).stdout
    by_key = {(s.capture.url, s.capture.timestamp): s.capture for s in shots}
    lines, caps = [], []
    for line in out.splitlines():
        if not line.strip():
            continue
        key, ts, blob = line.split(" ", 2)
        fields = json.loads(blob)
        cap = by_key[(fields["url"], ts)]
        if cap.kind == CaptureKind.BAD_DIGEST:
            fields["digest"] = sha1_base32(cap.payload_digest.encode() + b"/tampered")
            line = f"{key} {ts} {json.dumps(fields)}"
        caps.append(replace(cap, digest=fields["digest"], filename=fields["filename"],
                            offset=int(fields["offset"]), length=int(fields["length"])))
        lines.append(line)
    return lines, caps


def build_collection(root: Path, *, base_url: str, days: Sequence[int],
                     stamp: Callable[[int], datetime] = noon_stamp, seed: int = 1,
                     scale: int | None = None, every: int = 3, collection: str = "replica",
                     oddities: bool = False, template_day: int = DEFAULT_TEMPLATE_DAY,
                     vote_counts: str = "ship/all") -> list[ArchivedCapture]:
    """Write a pywb root at `root` holding the replica's past comparison pages; return every
    capture (sorted by url, timestamp: the CDX order for one host)."""
    if every < 1:
        raise ValueError("every must be >= 1")
    if not days:
        raise ValueError("days must not be empty")
    base_url = base_url.rstrip("/")
    coll = Path(root) / "collections" / collection
    archive, indexes = coll / "archive", coll / "indexes"
    archive.mkdir(parents=True, exist_ok=True)
    indexes.mkdir(parents=True, exist_ok=True)
    world = World(seed, scale, vote_counts)
    ordered = sorted(set(days))
    odd_day = ordered[len(ordered) // 2]
    shots: list[_Shot] = []
    for day in ordered:
        cat = Catalog(world, day, template_day)
        base = stamp(day).astimezone(UTC)
        day_shots = _page_shots(cat, base_url, seed, every, base)
        if oddities and day == odd_day:
            day_shots += _odd_shots(cat, base_url, seed, base)
        _write_warc(archive / f"{collection}-day{day:03d}.warc.gz", day_shots)
        shots += day_shots
    lines, caps = _index(archive, shots)
    (indexes / "index.cdxj").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(caps, key=lambda c: (c.url, c.timestamp))
