"""`verdicts parse`: JSON Lines out, errors per page, URL precedence, WARC inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from parsers import parse_comparison

VERDICTS_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "verdicts"
URL_A = "https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-large-3"
URL_B = "https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-3-small"


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    return code, lines, err.splitlines()


def expected(path: Path, url: str | None = None) -> dict:
    return parse_comparison(path.read_bytes(), url=url, content_type="text/plain").to_dict()


def test_parse_seeds(capsys, seed_paths) -> None:
    code, lines, err = run_cli(capsys, "parse", *map(str, seed_paths))
    assert code == 0 and err == []
    assert len(lines) == len(seed_paths) == 5
    assert lines == [expected(p) for p in seed_paths]
    assert {line["layout"] for line in lines} == {"full", "compact"}


def test_output_is_utf8_not_escaped(capsys, seed) -> None:
    main(["parse", str(seed("000"))])
    out = capsys.readouterr().out
    assert "—" in out and "\\u2014" not in out


def test_mixed_batch_reports_each_failure_and_goes_on(capsys, tmp_path, seed) -> None:
    garbage = tmp_path / "garbage.html"
    garbage.write_text("<html><body><p>Not a comparison page</p></body></html>")
    odd = tmp_path / "notes.pdf"
    odd.write_bytes(b"%PDF")
    missing = tmp_path / "missing.txt"
    inputs = [seed("000"), garbage, odd, missing, seed("002")]
    code, lines, err = run_cli(capsys, "parse", *map(str, inputs))
    assert code == 1
    assert len(lines) == 5
    assert lines[0] == expected(seed("000")) and lines[4] == expected(seed("002"))
    for line, path in zip(lines[1:4], inputs[1:4], strict=True):
        assert set(line) == {"url", "error", "input"}
        assert line["url"] is None and line["error"] and line["input"] == str(path)
    assert "unknown file type .pdf" in lines[2]["error"]
    assert lines[3]["error"] == "no such file"
    assert len(err) == 3
    for line, path in zip(err, inputs[1:4], strict=True):
        assert line.startswith(f"verdicts: {path}: ")
        assert "\n" not in line


def test_url_flag_wins_and_gives_slugs(capsys, seed) -> None:
    code, lines, _ = run_cli(capsys, "parse", str(seed("000")), "--url", URL_A)
    assert code == 0
    (page,) = lines
    assert page == expected(seed("000"), URL_A)
    assert page["url"] == URL_A
    assert [t["slug"] for t in page["tools"]] == ["smolvlm2-turbo", "mistral-large-3"]


def test_url_flag_needs_exactly_one_input(capsys, seed) -> None:
    code = main(["parse", str(seed("000")), str(seed("001")), "--url", URL_A])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "--url" in err and "exactly one" in err


def test_warc_response_and_conversion_records(capsys, make_warc, seed) -> None:
    text = seed("002").read_bytes()
    warc = make_warc(
        "pages.warc.gz",
        [
            {"type": "conversion", "url": URL_B, "body": text},
            {"type": "conversion", "url": URL_A, "body": seed("000").read_bytes()},
            {"type": "request", "url": URL_A, "body": b"", "content_type": "application/http"},
            {"type": "response", "url": URL_A, "body": b"<html><p>nope</p></html>", "gzip": True},
        ],
    )
    code, lines, err = run_cli(capsys, "parse", str(warc))
    assert code == 1  # the HTML response is not a comparison page
    assert lines[0] == expected(seed("002"), URL_B)  # WARC-Target-URI is the URL
    assert lines[1]["url"] == URL_A
    assert lines[2]["url"] == URL_A and lines[2]["error"]
    assert lines[2]["input"].startswith(f"{warc}@")
    assert len(err) == 1 and err[0].startswith(f"verdicts: {warc}@")
    # --url beats the WARC-Target-URI
    code, lines, _ = run_cli(
        capsys, "parse", str(warc), "--url", "https://shiporskip.io/compare/x-vs-y"
    )
    assert {line["url"] for line in lines} == {"https://shiporskip.io/compare/x-vs-y"}


def test_unreadable_warc_is_an_input_error(capsys, tmp_path, seed) -> None:
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    code, lines, err = run_cli(capsys, "parse", str(bad), str(seed("001")))
    assert code == 1
    assert lines[0]["input"] == str(bad) and "WARC" in lines[0]["error"]
    assert lines[1] == expected(seed("001"))
    assert len(err) == 1 and err[0].startswith(f"verdicts: {bad}: ")


def test_help_has_examples(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["parse", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--url" in out and "JSON" in out


def test_real_subprocess(seed, tmp_path) -> None:
    env = dict(os.environ, VERDICTS_DATA_DIR=str(tmp_path / "unused"))
    proc = subprocess.run(
        [str(VERDICTS_BIN), "parse", str(seed("003")), str(tmp_path / "nope.html")],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    out = proc.stdout.decode("utf-8").splitlines()
    assert json.loads(out[0]) == expected(seed("003"))
    assert json.loads(out[1])["error"] == "no such file"
    assert proc.stderr.decode().strip() == f"verdicts: {tmp_path / 'nope.html'}: no such file"
    assert not (tmp_path / "unused").exists()


def test_warc_cut_short_prints_whole_records_then_fails(capsys, tmp_path, seed) -> None:
    from datetime import UTC, datetime

    from archive import WarcWriter

    with WarcWriter(tmp_path, prefix="crash") as w:
        for n in ("000", "001"):
            last = w.write_resource(
                URL_A,
                content_type="text/plain",
                body=seed(n).read_bytes(),
                date=datetime(2025, 1, 1, tzinfo=UTC),
            )
        path = w.path
    assert path is not None
    path.write_bytes(path.read_bytes()[: last.offset + last.length // 2])  # crash mid-record
    code, lines, err = run_cli(capsys, "parse", str(path))
    assert code == 1
    assert lines[0] == expected(seed("000"), URL_A)
    assert lines[1]["error"].startswith(f"record at offset {last.offset}: partial record")
    assert len(lines) == 2 and len(err) == 1
    assert "repair" not in err[0]  # no destructive tool suggested to a user


def test_a_damaged_record_costs_that_record_only(capsys, tmp_path, seed) -> None:
    from datetime import UTC, datetime

    from archive import WarcWriter

    with WarcWriter(tmp_path, prefix="import") as w:
        written = [w.write_resource(URL_A, content_type="text/plain", body=seed(n).read_bytes(),
                                    date=datetime(2025, 1, 1, tzinfo=UTC))
                   for n in ("000", "001", "002")]
        path = w.path
    assert path is not None
    data = bytearray(path.read_bytes())
    hit = written[1]
    data[hit.offset + hit.length // 2] ^= 0x01  # one flipped bit inside the second page
    path.write_bytes(bytes(data))
    code, lines, err = run_cli(capsys, "parse", str(path))
    assert code == 1
    assert lines[0] == expected(seed("000"), URL_A)
    assert lines[1]["input"] == str(path)
    assert lines[1]["error"].startswith(f"record at offset {hit.offset}: damaged WARC record")
    assert lines[2] == expected(seed("002"), URL_A)
    assert len(lines) == 3
    assert err == [f"verdicts: {path}: {lines[1]['error']}"]
    assert path.read_bytes() == bytes(data)  # reading never rewrites the file


def test_a_warc_gz_that_is_not_gzip_says_so(capsys, tmp_path) -> None:
    bad = tmp_path / "notes.warc.gz"
    bad.write_text("<html>not a WARC at all</html>\n")
    code, lines, err = run_cli(capsys, "parse", str(bad))
    assert code == 1
    assert lines[0]["error"].startswith("not a gzip file")
    assert len(err) == 1 and err[0].startswith(f"verdicts: {bad}: not a gzip file")
    assert "repair" not in err[0] and "partial" not in err[0]


def test_a_file_over_the_decode_cap_is_refused(capsys, tmp_path, seed) -> None:
    big = tmp_path / "huge.html"
    big.write_bytes(b"<html><body>" + b"<p>x</p>" * (9 << 17) + b"</body></html>")  # > 9 MB
    code, lines, err = run_cli(capsys, "parse", str(big), str(seed("001")))
    assert code == 1
    assert lines[0] == {"url": None, "error": "file over 8 MB cap", "input": str(big)}
    assert lines[1] == expected(seed("001"))
    assert err == [f"verdicts: {big}: file over 8 MB cap"]


def test_gzip_bomb_is_one_line_and_bounded_memory(make_warc, tmp_path, seed) -> None:
    """The red team's bomb: a few KB of WARC whose response body is gzip of 100 MB. Parsed
    in a subprocess whose peak RSS its parent reads (getrusage of its only child)."""
    import gzip

    bomb = make_warc("bomb.warc.gz", [
        {"type": "response", "url": URL_A, "body": gzip.compress(b"\0" * (100 << 20), 9),
         "headers": [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]},
        {"type": "conversion", "url": URL_B, "body": seed("002").read_bytes()},
    ])
    assert bomb.stat().st_size < 10_000
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.buffer.write(p.stdout)\n"
        "sys.stderr.buffer.write(p.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(p.returncode)\n"
    )
    env = dict(os.environ, VERDICTS_DATA_DIR=str(tmp_path / "unused"))
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(VERDICTS_BIN), "parse", str(bomb)],
        capture_output=True, env=env, timeout=120,
    )
    *err, peak_kb = proc.stderr.decode().splitlines()
    assert proc.returncode == 1
    assert err == [f"verdicts: {bomb}: record at offset 0: decoded body over 8 MB cap"]
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert out[0]["error"] == "record at offset 0: decoded body over 8 MB cap"
    assert out[1] == expected(seed("002"), URL_B)  # the batch goes on
    assert int(peak_kb) < 400 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"
