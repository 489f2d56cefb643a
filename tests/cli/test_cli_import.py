"""`verdicts import`: archive first, then parse and load; idempotent; failures kept."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from archive import iter_payloads, iter_records, payload_digest
from cli import import_, main
from flows import settings
from warehouse import capture_id, connect

VERDICTS_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "verdicts"
TABLES = ("capture", "tool", "comparison", "tool_observation", "review_observation")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
URL_A = "https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-large-3"
URL_B = "https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-3-small"


def snapshot(data: Path) -> dict:
    """Everything an import can change: table contents and the archive's files."""
    con = connect(settings.db_path(data), read_only=True)
    try:
        tables = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()
    archive = settings.archive_dir(data)
    files = {p.name: p.read_bytes() for p in sorted(archive.glob("*"))} if archive.exists() else {}
    return {"tables": tables, "archive": files}


def query(data: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(settings.db_path(data), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_import_seeds_then_reimport_changes_nothing(capsys, data_dir, seed_paths) -> None:
    code = main(["import", *map(str, seed_paths)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    assert "5 page(s) (5 new, 0 already present)" in out and "0 failure(s)" in out
    rows = query(
        data_dir,
        "SELECT source, source_ref, url, content_type, parse_status, payload_digest, "
        "payload_bytes, warc_path, warc_offset, warc_length, warc_record_id, observed_at "
        "FROM capture ORDER BY source_ref",
    )
    assert len(rows) == 5
    (warc,) = settings.archive_dir(data_dir).glob("import-*.warc.gz")
    archived = {p.offset: p for p in iter_payloads(warc)}
    for row, path in zip(rows, seed_paths, strict=True):
        source, ref, url, ctype, status, digest, size, wpath, off, length, rid, seen = row
        raw = path.read_bytes()
        assert (source, ref, url, ctype, status) == ("import", str(path), None, "text/plain", "ok")
        assert (digest, size) == (payload_digest(raw), len(raw))
        assert data_dir / wpath == warc  # relative to the data dir
        rec = archived[off]  # the raw bytes are in the archive at that offset
        assert (rec.payload, rec.length, rec.record_id) == (raw, length, rid)
        mtime = EPOCH + timedelta(microseconds=path.stat().st_mtime_ns // 1000)
        assert rec.date == seen == mtime
        # the archived record maps back to the same capture (what a reparse relies on)
        assert capture_id(rec.url, rec.date, rec.payload_digest) == capture_id(None, seen, digest)
    tools, reviews = query(data_dir, "SELECT sum(tools_parsed), sum(reviews_parsed) FROM captures")[
        0
    ]
    assert tools == 10 and f"{tools} tools, {reviews} reviews" in out

    before = snapshot(data_dir)
    code = main(["import", *map(str, seed_paths)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "5 page(s) (0 new, 5 already present), 0 tools, 0 reviews, 0 failure(s)" in out
    assert snapshot(data_dir) == before  # no new rows, no new WARC bytes


def test_failed_page_is_recorded_with_reason(capsys, data_dir, tmp_path, seed) -> None:
    bad = tmp_path / "not-a-comparison.html"
    bad.write_text("<html><body><h1>Hello</h1></body></html>")
    missing = tmp_path / "gone.txt"
    code = main(["import", str(bad), str(missing), str(seed("004"))])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"verdicts: {bad}: ")
    assert lines[1] == f"verdicts: {missing}: no such file"
    assert "2 page(s) (2 new, 0 already present)" in out and "2 failure(s)" in out
    rows = query(
        data_dir,
        "SELECT source_ref, parse_status, parse_error, tools_parsed, warc_path IS NOT NULL "
        "FROM captures ORDER BY source_ref",
    )
    by_ref = {r[0]: r for r in rows}
    assert set(by_ref) == {str(bad), str(seed("004"))}
    ref, status, reason, tools, archived = by_ref[str(bad)]
    assert status == "error" and reason and reason in lines[0] and tools == 0 and archived
    assert by_ref[str(seed("004"))][1] == "ok"

    before = snapshot(data_dir)
    code = main(["import", str(bad), str(seed("004"))])
    out, err = capsys.readouterr()
    assert code == 1  # still a failure, still reported
    assert "already recorded as failed" in err
    assert snapshot(data_dir) == before


def test_observed_at_flag(capsys, data_dir, seed) -> None:
    code = main(["import", str(seed("000")), "--observed-at", "2025-06-01T10:00:00+02:00"])
    assert code == 0
    assert query(data_dir, "SELECT observed_at FROM capture") == [
        (datetime(2025, 6, 1, 8, 0, tzinfo=UTC),)
    ]
    # another moment is another capture of the same bytes
    code = main(["import", str(seed("000")), "--observed-at", "2025-06-02"])
    assert code == 0
    assert query(data_dir, "SELECT count(*), count(DISTINCT payload_digest) FROM capture") == [
        (2, 1)
    ]


def test_bad_observed_at_is_a_clear_error(capsys, data_dir, seed) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", str(seed("000")), "--observed-at", "last tuesday"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--observed-at" in err and "not an ISO 8601 time" in err
    assert not data_dir.exists()


def test_url_flag_and_compact_review_join(capsys, data_dir, seed) -> None:
    assert main(["import", str(seed("000")), "--url", URL_A]) == 0
    assert main(["import", str(seed("002")), "--url", URL_B]) == 0
    capsys.readouterr()
    assert set(query(data_dir, "SELECT url FROM capture")) == {(URL_A,), (URL_B,)}
    rows = query(
        data_dir,
        "SELECT r.tool_slug, r.score_source, count(*) FROM reviews r JOIN capture c "
        "USING (capture_id) WHERE c.url = ? GROUP BY ALL ORDER BY 1",
        [URL_A],
    )
    assert rows == [("mistral-large-3", None, 4), ("smolvlm2-turbo", "matched", 4)]
    assert query(data_dir, "SELECT * FROM comparison ORDER BY ALL") == [
        ("smolvlm2-turbo", "mistral-3-small"),
        ("smolvlm2-turbo", "mistral-large-3"),
    ]


def test_import_warc_response_and_conversion(capsys, data_dir, make_warc, seed) -> None:
    t1 = datetime(2025, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)
    t2 = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
    html = (
        "<html><head><link rel=canonical href='"
        + URL_B
        + "'></head><body>"
        + "".join(f"<p>{line}</p>" for line in seed("002").read_text().splitlines() if line)
        + "</body></html>"
    ).encode()
    warc = make_warc(
        "crawl.warc.gz",
        [
            {"type": "response", "url": URL_B, "body": html, "gzip": True, "date": t1},
            {"type": "conversion", "url": URL_A, "body": seed("000").read_bytes(), "date": t2},
            {"type": "response", "url": URL_A, "body": b"<html>moved</html>", "status": 301},
        ],
    )
    code = main(["import", str(warc)])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = query(
        data_dir,
        "SELECT url, observed_at, http_status, content_type, parse_status, title, warc_path "
        "FROM capture ORDER BY observed_at",
    )
    assert [r[:5] for r in rows] == [
        (URL_B, t1, 200, "text/html", "ok"),
        (URL_A, t2, None, "text/plain", "ok"),
    ]
    assert rows[0][5] == "SmolVLM2 Turbo vs Mistral 3 Small"
    # copied into our own archive: same payload digests, so the same capture ids on reparse
    (ours,) = settings.archive_dir(data_dir).glob("import-*.warc.gz")
    assert {r[6] for r in rows} == {os.path.relpath(ours, data_dir)}
    copies = list(iter_payloads(ours))
    assert [c.record_type for c in copies] == ["response", "resource"]
    originals = list(iter_payloads(warc))[:2]
    for copy, orig in zip(copies, originals, strict=True):
        assert (copy.url, copy.date, copy.payload_digest, copy.payload) == (
            orig.url,
            orig.date,
            orig.payload_digest,
            orig.payload,
        )
    ids = {r[0] for r in query(data_dir, "SELECT capture_id FROM capture")}
    assert ids == {capture_id(c.url, c.date, c.payload_digest) for c in copies}

    before = snapshot(data_dir)
    assert main(["import", str(warc)]) == 0
    assert snapshot(data_dir) == before
    # and importing our own archive copy finds the same captures
    assert main(["import", str(ours)]) == 0
    assert "(0 new, 2 already present)" in capsys.readouterr().out
    assert snapshot(data_dir)["tables"] == before["tables"]


def test_many_inputs_batches_and_progress(capsys, data_dir, tmp_path, seed, monkeypatch) -> None:
    monkeypatch.setattr(import_, "BATCH_SIZE", 7)
    src = tmp_path / "many"
    src.mkdir()
    paths = []
    for i in range(55):  # > 50 inputs: the progress bar path
        p = src / f"page-{i:03}.txt"
        shutil.copy(seed(f"00{i % 5}"), p)
        paths.append(str(p))
    code = main(["import", *paths])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "55 page(s) (55 new, 0 already present)" in out
    assert query(data_dir, "SELECT count(*), count(DISTINCT source_ref) FROM capture") == [(55, 55)]
    assert len(list(iter_records(next(settings.archive_dir(data_dir).glob("*.warc.gz"))))) == 56


def test_data_dir_flag_and_snapshot(capsys, tmp_path, seed) -> None:
    target = tmp_path / "elsewhere"
    assert main(["import", str(seed("001")), "--data-dir", str(target)]) == 0
    assert (target / "verdicts.duckdb").exists()
    snap = target / "verdicts.snapshot.duckdb"
    published = snap.stat().st_mtime_ns
    ro = duckdb.connect(str(snap), read_only=True)
    assert ro.execute("SELECT count(*) FROM internal.capture").fetchall() == [(1,)]
    ro.close()
    assert main(["import", str(seed("001")), "--data-dir", str(target)]) == 0
    assert snap.stat().st_mtime_ns == published  # nothing new: nothing to publish


def test_real_subprocess_import(tmp_path, seed) -> None:
    data = tmp_path / "d"
    env = dict(os.environ, VERDICTS_DATA_DIR=str(data))
    cmd = [str(VERDICTS_BIN), "import", str(seed("002")), str(seed("003"))]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "(2 new, 0 already present)" in first.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0
    assert "(0 new, 2 already present)" in again.stdout
    assert len(list((data / "archive").glob("import-*.warc.gz"))) == 1
