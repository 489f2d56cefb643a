"""`verdicts parse`: JSON Lines out, errors per page, URL precedence, WARC inputs."""

from __future__ import annotations

import json
import os
import subprocess
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
    assert "partial record" in lines[1]["error"]
    assert len(lines) == 2 and len(err) == 1
