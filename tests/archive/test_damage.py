"""Damage never costs more than the damaged record: a flipped byte anywhere in a WARC loses
exactly the record it lands in (reported with file and offset), every record before and
after it still reads, and only a torn tail (a crash mid-write) is ever cut, into the
quarantine, so no byte is thrown away."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from archive import (
    QUARANTINE_DIRNAME,
    DamagedWarcError,
    PartialRecordError,
    RecordError,
    WarcWriter,
    iter_payloads,
    iter_records,
    read_payload_at,
    repair_warc,
    scan_records,
)

T0 = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
URL = "https://shiporskip.io/compare/windsurf-vs-gemini-api"


def _html(i: int) -> bytes:
    return f"<html><title>page {i}</title><body>{'verdict ' * (40 + 9 * i)}</body></html>".encode()


def crawl_like_warc(directory: Path) -> Path:
    """A gzipped WARC as the crawl writes it: warcinfo, request, responses (one of them
    gzip-encoded), a revisit, a metadata record and a text resource: 8 members."""
    with WarcWriter(directory, prefix="crawl") as w:
        req = w.write_request(URL, headers=[("User-Agent", "t")], date=T0)
        first = w.write_response(URL, status=200, reason="OK",
                                 headers=[("Content-Type", "text/html")], body=_html(0),
                                 date=T0, concurrent_to=req.record_id)
        w.write_response(f"{URL}-2", status=200, reason="OK",
                         headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                         body=gzip.compress(_html(1)), date=T0)
        w.write_revisit(URL, refers_to_record_id=first.record_id, refers_to_url=URL,
                        refers_to_date=T0, payload_digest=first.payload_digest, status=304,
                        headers=[], date=T0)
        w.write_metadata(URL, fields=[("fetch-error", "timeout")], date=T0)
        w.write_resource(f"{URL}-3", content_type="text/plain", body=b"Windsurf\n" * 30, date=T0)
        w.write_response(f"{URL}-4", status=200, reason="OK",
                         headers=[("Content-Type", "text/html")], body=_html(4), date=T0)
        assert w.path is not None
        return w.path


def plain_warc(path: Path) -> Path:
    """An uncompressed .warc (as other tools write them) of six text resources."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="WARC/1.1")
        for i in range(6):
            body = f"line {i}\n".encode() * (10 + i)
            writer.write_record(writer.create_warc_record(
                f"{URL}?{i}", "resource", payload=io.BytesIO(body), length=len(body),
                warc_content_type="text/plain"))
    return path


def layout(path: Path) -> list[tuple[int, int, bytes]]:
    """(offset, length, raw payload) of every record of an undamaged file."""
    return [(off, n, raw) for _rec, off, n, raw in iter_records(path)]


def flipped(original: Path, victim: Path, pos: int, mask: int) -> Path:
    data = bytearray(original.read_bytes())
    data[pos] ^= mask
    victim.write_bytes(bytes(data))
    return victim


def read_all(path: Path) -> tuple[list[tuple[int, int, bytes]], list[RecordError]]:
    errors: list[RecordError] = []
    got = [(off, n, raw) for _rec, off, n, raw in iter_records(path, errors=errors)]
    return got, errors


@pytest.mark.parametrize("mask", [0x01, 0xFF])
def test_a_flipped_byte_in_each_gzip_member_loses_exactly_that_record(tmp_path: Path,
                                                                     mask: int) -> None:
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    assert len(records) == 8
    pages = [p.offset for p in iter_payloads(original)]
    assert len(pages) == 4
    victim = tmp_path / original.name
    for offset, length, _raw in records:
        # the first deflate byte, the middle, the CRC32 and the ISIZE of the member
        for pos in (offset + 10, offset + length // 2, offset + length - 8, offset + length - 1):
            flipped(original, victim, pos, mask)
            got, errors = read_all(victim)
            assert got == [r for r in records if r[0] != offset], (offset, pos)
            (err,) = errors
            assert (err.path, err.offset) == (victim, offset)
            # A flip inside the LAST member's deflate data can leave a stream that wants
            # more input at the end of the file: then it reads as a torn tail, which no
            # reader can tell from a crash. Anywhere else it is damage in the middle.
            assert err.torn is False or offset == records[-1][0], (offset, pos)
            assert str(err).startswith(f"{victim}@{offset}: ")
            assert f"offset {offset}" in err.message
            assert [p.offset for p in iter_payloads(victim, errors=[])] == [
                o for o in pages if o != offset]
            before = victim.read_bytes()
            cut = repair_warc(victim)
            if not err.torn:  # damage in the middle: repair leaves every byte where it is
                assert cut == 0 and victim.read_bytes() == before
            else:  # a torn tail: moved to the quarantine, not one byte thrown away
                kept = victim.parent / QUARANTINE_DIRNAME / f"{victim.name}.torn-{offset}"
                assert victim.read_bytes() + kept.read_bytes() == before
                kept.unlink()


def test_no_single_byte_flip_costs_more_than_its_own_record(tmp_path: Path) -> None:
    """Bytes all over every member (the whole gzip header and trailer, every 5th byte
    between): at most the member a flip lands in is lost (a flip in the gzip header's
    MTIME or in the deflate padding harms nothing)."""
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    victim = tmp_path / "v.warc.gz"
    harmless = 0
    for offset, length, _raw in records:
        ends = {*range(offset, offset + 10), *range(offset + length - 9, offset + length)}
        for pos in sorted(ends | set(range(offset, offset + length, 5))):
            got, errors = read_all(flipped(original, victim, pos, 0x01))
            others = [r for r in records if r[0] != offset]
            if not errors:
                harmless += 1
                assert got == records, pos
            else:
                assert got == others and [e.offset for e in errors] == [offset], pos
    assert harmless < 10 * len(records)  # the header's MTIME/XFL/OS bytes, mostly


def test_a_flipped_byte_in_a_plain_warc_loses_exactly_that_record(tmp_path: Path) -> None:
    original = plain_warc(tmp_path / "plain.warc")
    records = layout(original)
    assert len(records) == 6
    data = original.read_bytes()
    victim = tmp_path / "victim.warc"
    for offset, length, _raw in records:
        record = data[offset : offset + length]
        block = record.index(b"\r\n\r\n") + 4
        digits = record.index(b"Content-Length: ") + len("Content-Length: ")
        # WARC/ at the start, a Content-Length digit, the block, the closing CRLF CRLF
        for at in (0, 3, digits, block, (block + length) // 2, length - 2):
            got, errors = read_all(flipped(original, victim, offset + at, 0xFF))
            assert got == [r for r in records if r[0] != offset], (offset, at)
            assert [e.offset for e in errors] == [offset]
            assert str(errors[0]).startswith(f"{victim}@{offset}: ")


def test_torn_tail_is_moved_to_the_quarantine_not_thrown_away(tmp_path: Path) -> None:
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    last_offset, last_length, _ = records[-1]
    data = original.read_bytes()
    cut = last_offset + last_length // 2
    victim = tmp_path / original.name
    victim.write_bytes(data[:cut])  # SIGKILL mid-write
    got, errors = read_all(victim)
    assert got == records[:-1]
    (err,) = errors
    assert (err.offset, err.length, err.torn) == (last_offset, cut - last_offset, True)
    assert "partial record" in err.reason and "repair" not in err.reason
    # without an errors list: every whole record first, then the error
    seen: list[int] = []
    with pytest.raises(PartialRecordError):
        seen.extend(off for _r, off, _n, _raw in iter_records(victim))
    assert seen == [r[0] for r in records[:-1]]
    assert repair_warc(victim) == cut - last_offset
    assert victim.read_bytes() == data[:last_offset]
    kept = tmp_path / QUARANTINE_DIRNAME / f"{victim.name}.torn-{last_offset}"
    assert kept.read_bytes() == data[last_offset:cut]
    assert read_all(victim) == (records[:-1], [])
    assert repair_warc(victim) == 0


def test_repair_cuts_only_the_tail_when_the_middle_is_damaged_too(tmp_path: Path) -> None:
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    data = bytearray(original.read_bytes())
    mid_offset, mid_length, _ = records[3]
    data[mid_offset + mid_length // 2] ^= 0xFF
    cut = records[-1][0] + 7
    victim = tmp_path / original.name
    victim.write_bytes(bytes(data[:cut]))
    assert repair_warc(victim) == 7
    assert victim.read_bytes() == bytes(data[: records[-1][0]])  # the damaged member stays
    got, errors = read_all(victim)
    assert got == [r for r in records[:-1] if r[0] != mid_offset]
    assert [(e.offset, e.torn) for e in errors] == [(mid_offset, False)]


def test_a_damaged_last_member_is_not_cut(tmp_path: Path) -> None:
    original = crawl_like_warc(tmp_path / "a")
    offset, length, _ = layout(original)[-1]
    victim = flipped(original, tmp_path / original.name, offset + length - 8, 0x01)  # its CRC
    before = victim.read_bytes()
    assert repair_warc(victim) == 0 and victim.read_bytes() == before
    _got, errors = read_all(victim)
    assert [(e.offset, e.torn) for e in errors] == [(offset, False)]


def test_zero_fill_after_a_crash_is_a_torn_tail(tmp_path: Path) -> None:
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    victim = tmp_path / original.name
    victim.write_bytes(original.read_bytes() + b"\0" * 4096)
    got, errors = read_all(victim)
    assert got == records and [e.torn for e in errors] == [True]
    assert repair_warc(victim) == 4096
    assert victim.read_bytes() == original.read_bytes()


def test_a_file_that_is_not_gzip_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "notes.warc.gz"
    bad.write_text("these are my notes, not a WARC\n" * 20)
    (err,) = [e for e in scan_records(bad) if isinstance(e, RecordError)]
    assert err.message.startswith("not a gzip file") and "repair" not in str(err)
    assert repair_warc(bad) == 0
    with pytest.raises(DamagedWarcError, match="not a gzip file"):
        list(iter_records(bad))


def test_read_at_a_damaged_offset_names_it(tmp_path: Path) -> None:
    original = crawl_like_warc(tmp_path / "a")
    records = layout(original)
    offset, length, _ = records[2]
    victim = flipped(original, tmp_path / original.name, offset + length // 2, 0xFF)
    with pytest.raises(DamagedWarcError, match=f"@{offset}: "):
        read_payload_at(victim, offset)
    assert read_payload_at(victim, records[3][0]).offset == records[3][0]  # its neighbour reads
