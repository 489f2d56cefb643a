"""The archive: WARC writing, reading back with digests checked, crash repair."""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import (
    DamagedWarcError,
    PartialRecordError,
    WarcWriter,
    iter_payloads,
    iter_records,
    payload_digest,
    read_payload_at,
    read_record_payload,
    repair_warc,
)

T0 = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
URL = "https://shiporskip.io/compare/windsurf-vs-gemini-api"
HTML = "<html><head><title>Windsurf vs Gemini API</title></head><body>“é” ✓</body></html>"


def _types(path: Path) -> list[str]:
    return [rec.rec_type for rec, *_ in iter_records(path)]


def test_payload_digest_matches_warc_convention() -> None:
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    assert re.fullmatch(r"sha1:[A-Z2-7]{32}", payload_digest(HTML.encode()))


def test_round_trip_with_digests(tmp_path: Path) -> None:
    body = gzip.compress(HTML.encode())
    text = b"Windsurf vs Gemini API\nPanel ship\n"
    with WarcWriter(tmp_path, prefix="crawl") as w:
        req = w.write_request(URL, headers=[("User-Agent", "test")], date=T0)
        resp = w.write_response(
            URL,
            status=200,
            reason="OK",
            headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
            body=body,
            date=T0,
            concurrent_to=req.record_id,
        )
        rev = w.write_revisit(
            URL,
            refers_to_record_id=resp.record_id,
            refers_to_url=URL,
            refers_to_date=T0,
            payload_digest=resp.payload_digest,
            status=200,
            headers=[("Content-Type", "text/html")],
            date=datetime(2025, 3, 5, tzinfo=UTC),
        )
        res = w.write_resource(None, content_type="text/plain", body=text, date=T0)
        path = w.path
    assert path is not None
    assert re.fullmatch(r"crawl-\d{14}-1\.warc\.gz", path.name)
    assert resp.payload_digest == payload_digest(body)  # digest of the bytes as received
    assert res.payload_digest == payload_digest(text)
    assert rev.payload_digest == resp.payload_digest
    # records are contiguous gzip members: offsets + lengths tile the file
    records = [req, resp, rev, res]
    for a, b in zip(records, records[1:], strict=False):
        assert a.offset + a.length == b.offset
    assert res.offset + res.length == path.stat().st_size
    assert _types(path) == ["warcinfo", "request", "response", "revisit", "resource"]

    pages = list(iter_payloads(path))
    assert [p.record_type for p in pages] == ["response", "resource"]
    html, plain = pages
    assert html.payload == HTML.encode()  # Content-Encoding undone
    assert html.raw_payload == body
    assert html.payload_digest == resp.payload_digest
    assert (html.url, html.date, html.http_status) == (URL, T0, 200)
    assert html.content_type == "text/html"
    assert (html.offset, html.length, html.record_id) == (resp.offset, resp.length, resp.record_id)
    assert plain.url is None and plain.content_type == "text/plain"
    assert plain.payload == text and plain.date == T0 and plain.http_status is None
    # each record can be read alone by seeking to its offset
    assert read_record_payload(path, resp.offset) == HTML.encode()
    assert read_record_payload(path, res.offset) == text
    with open(path, "rb") as fh:
        fh.seek(rev.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Refers-To") == resp.record_id
        assert "identical-payload-digest" in record.rec_headers.get_header("WARC-Profile")
    assert repair_warc(path) == 0


def test_conversion_and_non_page_records(make_warc) -> None:
    path = make_warc(
        "mixed.warc.gz",
        [
            {"type": "response", "url": URL, "body": HTML.encode(), "gzip": True},
            {"type": "conversion", "url": URL, "body": b"Windsurf vs Gemini API\n"},
            {
                "type": "response",
                "url": URL + "/robots.txt",
                "body": b"User-agent: *",
                "headers": [("Content-Type", "text/plain")],
            },
            {"type": "resource", "url": URL, "body": b"\x89PNG", "content_type": "image/png"},
            {"type": "response", "url": URL, "body": b"<html>gone</html>", "status": 404},
        ],
    )
    pages = list(iter_payloads(path))
    assert [(p.record_type, p.content_type, p.http_status) for p in pages] == [
        ("response", "text/html", 200),
        ("conversion", "text/plain", None),
        ("response", "text/html", 404),
    ]
    assert pages[0].payload == HTML.encode()


def test_bad_digest_is_a_damaged_record(make_warc) -> None:
    path = make_warc(
        "bad.warc.gz",
        [
            {
                "type": "resource",
                "url": URL,
                "body": b"hello",
                "payload_digest": payload_digest(b"x"),
            }
        ],
    )
    with pytest.raises(DamagedWarcError, match="digest failed"):
        list(iter_payloads(path))


def test_rotation_starts_new_files_with_warcinfo(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "arch", prefix="import", max_bytes=600) as w:
        written = [
            w.write_resource(f"{URL}?n={i}", content_type="text/plain", body=b"x" * 100, date=T0)
            for i in range(6)
        ]
        files = list(w.paths)
    assert len(files) > 1
    assert sorted(tmp_path.joinpath("arch").iterdir()) == sorted(files)
    for path in files:
        assert _types(path)[0] == "warcinfo"
        assert _types(path).count("warcinfo") == 1
    assert {r.path for r in written} == set(files)
    got = [p.url for f in files for p in iter_payloads(f)]
    assert got == [f"{URL}?n={i}" for i in range(6)]


def test_writer_never_overwrites(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, prefix="p") as a, WarcWriter(tmp_path, prefix="p") as b:
        ra = a.write_resource(None, content_type="text/plain", body=b"a", date=T0)
        rb = b.write_resource(None, content_type="text/plain", body=b"b", date=T0)
    assert ra.path != rb.path
    assert [p.payload for p in iter_payloads(ra.path)] == [b"a"]
    assert [p.payload for p in iter_payloads(rb.path)] == [b"b"]


def _boundaries(path: Path) -> list[int]:
    """Byte offsets where whole records end (0 first). Uncompressed records' lengths
    leave out the CRLF CRLF between records, so use the next record's offset."""
    offsets = [offset for _rec, offset, _length, _raw in iter_records(path)]
    assert offsets[0] == 0
    return [0, *offsets[1:], path.stat().st_size]


@pytest.mark.parametrize("gzipped", [True, False])
def test_repair_cut_anywhere_keeps_whole_records(tmp_path: Path, make_warc, gzipped) -> None:
    if gzipped:
        with WarcWriter(tmp_path / "w", prefix="crash") as w:
            for i in range(4):
                w.write_resource(
                    f"{URL}?{i}", content_type="text/plain", body=b"line\n" * (i + 3), date=T0
                )
            original = w.path
    else:
        original = make_warc(
            "plain.warc",
            [
                {"type": "resource", "url": f"{URL}?{i}", "body": b"line\n" * (i + 3)}
                for i in range(4)
            ],
            gzip_members=False,
        )
    assert original is not None
    ends = _boundaries(original)
    size = original.stat().st_size
    assert ends[-1] == size
    data = original.read_bytes()
    cuts = set(range(0, size + 1, 11)) | {size}
    for end in ends:
        cuts |= {end - 1, end, end + 1}
    for a, b in zip(ends, ends[1:], strict=False):
        cuts.add((a + b) // 2)
    raws = [raw for _rec, _off, _len, raw in iter_records(original)]
    victim = tmp_path / ("victim.warc.gz" if gzipped else "victim.warc")
    for cut in sorted(c for c in cuts if 0 <= c <= size):
        victim.write_bytes(data[:cut])
        # before repair, reading never passes off a cut record as whole
        got: list[bytes] = []
        with contextlib.suppress(PartialRecordError):
            got.extend(raw for _rec, _off, _len, raw in iter_records(victim))
        assert got == raws[: len(got)], cut
        whole = max(e for e in ends if e <= cut)
        assert repair_warc(victim) == cut - whole, cut
        assert victim.read_bytes() == data[:whole]
        quarantine = tmp_path / "quarantine"
        if cut > whole:  # the torn bytes are kept, not thrown away
            (kept,) = quarantine.iterdir()
            assert kept.name == f"{victim.name}.torn-{whole}"
            assert kept.read_bytes() == data[whole:cut], cut
            shutil.rmtree(quarantine)
        assert not quarantine.exists()
        n_whole = ends.index(whole)
        assert len(list(iter_records(victim))) == n_whole
        assert repair_warc(victim) == 0  # a repaired file needs no more repair


def test_repair_then_keep_writing(tmp_path: Path) -> None:
    """After a crash, the repaired file reads whole; new writes go to a new file."""
    with WarcWriter(tmp_path, prefix="crawl") as w:
        first = w.write_resource(URL, content_type="text/plain", body=b"one", date=T0)
        w.write_resource(URL, content_type="text/plain", body=b"two", date=T0)
        path = w.path
    assert path is not None
    data = path.read_bytes()
    path.write_bytes(data[: first.offset + first.length + 10])  # SIGKILL mid-record
    assert repair_warc(path) == 10
    assert [p.payload for p in iter_payloads(path)] == [b"one"]
    copy = tmp_path / "copy.warc.gz"
    shutil.copy(path, copy)
    with WarcWriter(tmp_path, prefix="crawl") as w:
        again = w.write_resource(URL, content_type="text/plain", body=b"two", date=T0)
    assert again.path != path


def test_read_payload_at_reads_one_record_like_iter_records(tmp_path: Path) -> None:
    body = gzip.compress(HTML.encode())
    with WarcWriter(tmp_path, prefix="crawl") as w:
        req = w.write_request(URL, headers=[("User-Agent", "test")], date=T0)
        resp = w.write_response(
            URL,
            status=200,
            reason="OK",
            headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
            body=body,
            date=T0,
            concurrent_to=req.record_id,
        )
        rev = w.write_revisit(
            URL,
            refers_to_record_id=resp.record_id,
            refers_to_url=URL,
            refers_to_date=T0,
            payload_digest=resp.payload_digest,
            status=304,
            headers=[],
            date=T0,
        )
        res = w.write_resource(None, content_type="text/plain", body=b"text", date=T0)
        path = w.path
    assert path is not None
    # the same ArchivedPayload as iter_payloads, read by seeking to the offset
    html, plain = list(iter_payloads(path))
    assert read_payload_at(path, resp.offset) == html
    assert read_payload_at(path, res.offset) == plain
    got = read_payload_at(path, resp.offset)
    assert (got.payload, got.raw_payload, got.length) == (HTML.encode(), body, resp.length)
    # any record type, not only pages
    revisit = read_payload_at(path, rev.offset)
    assert (revisit.record_type, revisit.http_status, revisit.payload) == ("revisit", 304, b"")
    assert revisit.payload_digest == resp.payload_digest
    request = read_payload_at(path, req.offset)
    assert (request.record_type, request.http_status, request.url) == ("request", None, URL)
    with pytest.raises(ValueError):
        read_payload_at(path, path.stat().st_size)  # no record there
    with pytest.raises(OSError):
        read_payload_at(tmp_path / "missing.warc.gz", 0)


def test_read_payload_at_checks_digests(make_warc) -> None:
    path = make_warc(
        "bad.warc.gz",
        [{"type": "resource", "url": URL, "body": b"hi", "payload_digest": payload_digest(b"x")}],
    )
    offset = next(offset for rec, offset in _records_unchecked(path) if rec == "resource")
    with pytest.raises(DamagedWarcError, match=f"@{offset}: damaged WARC record: .*digest"):
        read_payload_at(path, offset)


def _records_unchecked(path: Path) -> list[tuple[str, int]]:
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        return [(rec.rec_type, it.get_record_offset()) for rec in it]
