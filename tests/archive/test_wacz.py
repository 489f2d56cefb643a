"""`export_wacz`: a real crawl's archive packaged as WACZ 1.1, checked by Webrecorder's own
validator, by reading the package back (index, pages, datapackage digests), and by
replaying it in a real pywb; a date range keeps just its records, whole exchanges, byte
for byte; damage, torn tails and the quarantine are left out and reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from wacz_support import cdxj, crawl_two_nights, members, night, pages, sha256

from archive import (
    QUARANTINE_DIRNAME,
    DateRange,
    NothingToExport,
    WarcWriter,
    export_wacz,
    iter_records,
    read_record_payload,
    warc_files,
)
from parsers import is_comparison_url

pytestmark = pytest.mark.timeout(240)
WACZ_BIN = Path(sys.executable).parent / "wacz"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_two_nights(tmp_path_factory.mktemp("wacz") / "data")


def validate(path: Path) -> str:
    """`wacz validate -f PATH` (Webrecorder's validator); its output, asserting exit 0."""
    done = subprocess.run([str(WACZ_BIN), "validate", "-f", str(path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the passed WACZ is valid" in done.stdout
    return done.stdout


def ts14(date: str) -> str:
    return date[:19].replace("-", "").replace(":", "").replace("T", "")


def source_records(paths: list[Path]) -> list[tuple[Path, object, int, int, bytes]]:
    return [(p, rec, off, ln, raw) for p in paths for rec, off, ln, raw in iter_records(p)]


def page_captures(records: list) -> set[tuple[str, str]]:
    """(url, ts) of every comparison page's 200 HTML response, read with warcio alone."""
    found = set()
    for _p, rec, _off, _ln, _raw in records:
        url = rec.rec_headers.get_header("WARC-Target-URI")
        if (rec.rec_type == "response" and rec.http_headers.get_statuscode() == "200"
                and "text/html" in (rec.http_headers.get_header("Content-Type") or "")
                and is_comparison_url(url)):
            found.add((url, rec.rec_headers.get_header("WARC-Date")))
    return found


def test_the_whole_archive_is_a_valid_wacz_of_its_files_as_they_are(archive_dir: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "all.wacz"
    done = export_wacz(archive_dir, out)
    validate(out)
    files = members(out)
    sources = warc_files(archive_dir)
    records = source_records(sources)
    assert {n for n in files if n.startswith("archive/")} == {f"archive/{p.name}" for p in sources}
    for p in sources:
        assert files[f"archive/{p.name}"] == p.read_bytes()
    # every response and revisit is in the CDXJ, at its offset and length in its file
    assert any(rec.rec_type == "revisit" for _p, rec, *_ in records)  # night 7's 304s
    expected = {(p.name, off, ln, rec.rec_headers.get_header("WARC-Target-URI"),
                 ts14(rec.rec_headers.get_header("WARC-Date")))
                for p, rec, off, ln, _raw in records if rec.rec_type in ("response", "revisit")}
    got = {(f["filename"], int(f["offset"]), int(f["length"]), f["url"], ts)
           for _key, ts, f in cdxj(out)}
    assert got == expected
    # pages.jsonl: one line per comparison page capture, with its visible title
    listed = pages(out)
    captures = page_captures(records)
    assert len(listed) == len(captures) == done.pages > 30
    assert {(p["url"], p["ts"]) for p in listed} == captures
    assert all(" vs " in p["title"] for p in listed)
    # datapackage.json: every other file, its sha256 and size; the digest file covers it
    package = json.loads(files["datapackage.json"])
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == set(files) - {"datapackage.json", "datapackage-digest.json"}
    for path, res in resources.items():
        assert (res["hash"], res["bytes"]) == (sha256(files[path]), len(files[path]))
    assert json.loads(files["datapackage-digest.json"])["hash"] == sha256(files["datapackage.json"])
    assert package["wacz_version"] == "1.1.1"
    with zipfile.ZipFile(out) as zf:  # WARCs and the gzip index stored, not deflated again
        assert {i.compress_type for i in zf.infolist()
                if i.filename.endswith(".gz")} == {zipfile.ZIP_STORED}
    assert done.records == sum(1 for _p, rec, *_ in records if rec.rec_type != "warcinfo")
    assert (done.warcs, done.left_out, done.quarantined) == (len(sources), [], [])
    assert not list(tmp_path.glob(".*.part"))


def test_a_date_range_holds_only_its_records_byte_for_byte(archive_dir: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "night7.wacz"
    dates = DateRange(night(7), night(8))
    done = export_wacz(archive_dir, out, dates=dates)
    validate(out)
    files = members(out)
    warcs = {n: data for n, data in files.items() if n.startswith("archive/")}
    night7 = [p for p in warc_files(archive_dir) if "20250609T030000Z" in p.name]
    assert len(night7) == 1 and list(warcs) == [f"archive/{night7[0].name}"]
    source = {rec.rec_headers.get_header("WARC-Record-ID"): night7[0].read_bytes()[off:off + ln]
              for _p, rec, off, ln, _raw in source_records(night7)}
    copy = tmp_path / night7[0].name
    copy.write_bytes(warcs[f"archive/{night7[0].name}"])
    ids = set()
    for rec, off, ln, _raw in iter_records(copy):
        rid = rec.rec_headers.get_header("WARC-Record-ID")
        ids.add(rid)
        assert copy.read_bytes()[off:off + ln] == source[rid]  # the gzip member, as it was
        if rec.rec_type != "warcinfo":
            when = datetime.fromisoformat(rec.rec_headers.get_header("WARC-Date"))
            assert when in dates
    assert ids == set(source) and done.records == len(ids) - 1
    assert {p["ts"] for p in pages(out)} == {"2025-06-09T03:00:00Z"}
    assert {ts for _k, ts, _f in cdxj(out)} == {"20250609030000"}
    # nothing in range: no package at all
    with pytest.raises(NothingToExport):
        export_wacz(archive_dir, tmp_path / "none.wacz", dates=DateRange(night(1), night(6)))
    assert not (tmp_path / "none.wacz").exists() and not list(tmp_path.glob(".*.part"))


def test_a_range_inside_one_file_keeps_each_exchange_together(tmp_path: Path) -> None:
    """One WARC of three days; the range is an hour of day 1. Its request was sent a second
    before the range starts: it comes along with its response (WARC-Concurrent-To)."""
    t0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
    url = "https://shiporskip.io/compare/a-vs-b"
    html = [("Content-Type", "text/html")]
    with WarcWriter(tmp_path / "archive", prefix="crawl-x") as w:
        for day in range(3):
            t = t0 + timedelta(days=day)
            req = w.write_request(url, headers=[], date=t - timedelta(seconds=1))
            first = w.write_response(url, status=200, reason="OK", headers=html, date=t,
                                     body=f"<title>day {day}</title>".encode(),
                                     concurrent_to=req.record_id)
            w.write_metadata(url + "?x", fields=[("fetch-error", "timeout")], date=t)
        w.write_revisit(url, refers_to_record_id=first.record_id, refers_to_url=url,
                        refers_to_date=t, payload_digest=first.payload_digest, status=200,
                        headers=html, date=t0 + timedelta(days=4))
        w.write_resource(url + "-2", content_type="text/html", body=b"<p>imported</p>",
                         date=t0 + timedelta(days=1, minutes=5))
    day1 = DateRange(t0 + timedelta(days=1), t0 + timedelta(days=1, hours=1))
    export_wacz(tmp_path / "archive", tmp_path / "day1.wacz", dates=day1)
    validate(tmp_path / "day1.wacz")
    (name, data), = ((n, d) for n, d in members(tmp_path / "day1.wacz").items()
                     if n.startswith("archive/"))
    copy = tmp_path / Path(name).name
    copy.write_bytes(data)
    kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Date")) for r, *_ in iter_records(copy)]
    assert [k for k, _ in kinds] == ["warcinfo", "request", "response", "metadata", "resource"]
    assert [d for _, d in kinds[1:]] == ["2025-03-02T11:59:59Z", "2025-03-02T12:00:00Z",
                                         "2025-03-02T12:00:00Z", "2025-03-02T12:05:00Z"]
    # a revisit whose original is outside the range is kept as a record, but is no page
    export_wacz(tmp_path / "archive", tmp_path / "day4.wacz",
                dates=DateRange(t0 + timedelta(days=4), None))
    assert pages(tmp_path / "day4.wacz") == []
    export_wacz(tmp_path / "archive", tmp_path / "all.wacz")
    assert [p["ts"] for p in pages(tmp_path / "all.wacz") if p["url"] == url] == [
        "2025-03-01T12:00:00Z", "2025-03-02T12:00:00Z", "2025-03-03T12:00:00Z",
        "2025-03-05T12:00:00Z"]
    assert [(p["url"], p["ts"]) for p in pages(tmp_path / "day1.wacz")] == [
        (url, "2025-03-02T12:00:00Z"), (url + "-2", "2025-03-02T12:05:00Z")]


def test_damage_torn_tails_and_the_quarantine_are_left_out(archive_dir: Path,
                                                          tmp_path: Path) -> None:
    data = tmp_path / "archive"
    shutil.copytree(archive_dir, data)
    first, last = warc_files(data)[0], warc_files(data)[-1]
    responses = [(off, ln, rec.rec_headers.get_header("WARC-Target-URI"))
                 for rec, off, ln, _raw in iter_records(first) if rec.rec_type == "response"]
    off, ln, damaged_url = responses[5]
    raw = bytearray(first.read_bytes())
    raw[off + ln // 2] ^= 0xFF
    first.write_bytes(bytes(raw))
    whole_last = last.read_bytes()
    (_rec, t_off, t_len, _raw), *_ = [r for r in iter_records(last) if r[0].rec_type == "response"]
    with last.open("ab") as fh:  # a crash mid-write: the first half of a record's member
        fh.write(whole_last[t_off:t_off + t_len // 2])
    (data / QUARANTINE_DIRNAME).mkdir()
    (data / QUARANTINE_DIRNAME / f"{last.name}.torn-99").write_bytes(b"torn")
    out = tmp_path / "damaged.wacz"
    done = export_wacz(data, out)
    validate(out)
    assert [(e.path, e.offset, e.torn) for e in done.left_out] == [
        (first, off, False), (last, len(whole_last), True)]
    assert done.quarantined == [data / QUARANTINE_DIRNAME / f"{last.name}.torn-99"]
    files = members(out)
    assert files[f"archive/{last.name}"] == whole_last
    assert files[f"archive/{first.name}"] == bytes(raw[:off] + raw[off + ln:])
    assert not any(n.startswith(f"archive/{QUARANTINE_DIRNAME}") for n in files)
    urls = [f["url"] for _k, _ts, f in cdxj(out) if f["filename"] == first.name]
    assert damaged_url not in urls and len(urls) == len(responses) - 1


def test_an_empty_archive_is_nothing_to_export(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    with pytest.raises(NothingToExport, match="no readable WARC record"):
        export_wacz(tmp_path / "archive", tmp_path / "empty.wacz")
    assert list(tmp_path.iterdir()) == [tmp_path / "archive"]


@pytest.mark.slow
def test_pywb_replays_every_page_of_the_package_with_its_archived_body(
        archive_dir: Path, tmp_path: Path) -> None:
    """`wb-manager add --unpack-wacz` (pywb takes the WACZ's own CDXJ index, renaming the
    WARCs), then every page in pages.jsonl fetched in `id_` mode. Compared: pywb's body
    against the WARC record's payload with its Content-Encoding undone
    (`archive.read_record_payload`): pywb undoes the gzip coding itself when it serves the
    record (and reports it as X-Archive-Orig-Content-Encoding), so both sides are the
    decoded entity body; the status and the archived ETag are compared too."""
    from replica.wayback import LocalWayback, fetch, pywb_bin

    out = tmp_path / "all.wacz"
    export_wacz(archive_dir, out)
    root = tmp_path / "pywb"
    root.mkdir()
    for cmd in (["init", "verdicts"], ["add", "--unpack-wacz", "verdicts", str(out)]):
        subprocess.run([str(pywb_bin("wb-manager")), *cmd], cwd=root, check=True,
                       capture_output=True, timeout=120)
    originals = {}
    for p, rec, off, _ln, _raw in source_records(warc_files(archive_dir)):
        if rec.rec_type == "response":
            key = (rec.rec_headers.get_header("WARC-Target-URI"),
                   ts14(rec.rec_headers.get_header("WARC-Date")))
            originals[key] = (p, off, rec.http_headers.get_header("ETag"))
    listed = pages(out)
    with LocalWayback(root, collection="verdicts") as wb:
        for page in listed:
            key = (page["url"], ts14(page["ts"]))
            path, offset, etag = originals[key]
            status, headers, body = fetch(wb.base, f"/verdicts/{key[1]}id_/{page['url']}")
            got = {k.lower(): v for k, v in headers}
            assert status == 200, page
            assert "content-encoding" not in got
            assert got["x-archive-orig-content-encoding"] == "gzip"
            assert got["x-archive-orig-etag"] == etag
            assert body == read_record_payload(path, offset)
    # pages captured on both nights with different bodies replay each at its own time
    twice = {p["url"] for p in listed if p["ts"].startswith("2025-06-09")} & {
        p["url"] for p in listed if p["ts"].startswith("2025-06-02")}
    assert twice
