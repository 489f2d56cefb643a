"""`verdicts export --format wacz`: the real command on a real crawl's data dir, its
summary and notes, and one line with the right exit status for every kind of bad input."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from wacz_support import crawl_two_nights, pages

from archive import QUARANTINE_DIRNAME, warc_files
from cli import main

pytestmark = pytest.mark.timeout(240)
REPO = Path(__file__).resolve().parents[2]
VERDICTS = [sys.executable, "-m", "cli"]  # `verdicts`, run from the checkout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("export-wacz") / "data"
    crawl_two_nights(data, scale=8)
    return data


def export(data: Path, *args: str) -> tuple[int, str, str]:
    """Run `verdicts export` in a real process: exit status, stdout, stderr."""
    done = subprocess.run([*VERDICTS, "export", *args, "--data-dir", str(data)], cwd=REPO,
                          capture_output=True, text=True, timeout=180, check=False)
    return done.returncode, done.stdout, done.stderr


def test_export_writes_the_archive_and_says_what_it_left_out(data_dir: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "all.wacz"
    (data_dir / "archive" / QUARANTINE_DIRNAME).mkdir(exist_ok=True)
    (data_dir / "archive" / QUARANTINE_DIRNAME / "x.warc.gz.torn-7").write_bytes(b"torn")
    try:
        code, stdout, stderr = export(data_dir, "--format", "wacz", str(out))
    finally:
        (data_dir / "archive" / QUARANTINE_DIRNAME / "x.warc.gz.torn-7").unlink()
    assert code == 0, stderr
    n = len(pages(out))
    assert stdout == (f"wrote {out}: 2 WARC file(s), " + stdout.split(", ", 1)[1])
    assert f", {n} comparison page capture(s), " in stdout
    assert stderr.count("\n") == 1 and "left out" in stderr and "quarantine" in stderr
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert sorted(n for n in names if n.startswith("archive/")) == [
        f"archive/{p.name}" for p in warc_files(data_dir / "archive")]


def test_from_to_keeps_the_nights_in_range(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "night0.wacz"
    code, stdout, stderr = export(data_dir, "--format", "wacz", str(out),
                                  "--from", "2025-06-01", "--to", "2025-06-02")
    assert (code, stderr) == (0, "")
    assert "1 WARC file(s)" in stdout
    assert {p["ts"] for p in pages(out)} == {"2025-06-02T03:00:00Z"}
    # an ISO time bound is inclusive: up to night 7's very instant
    code, _out, _err = export(data_dir, "--format", "wacz", str(tmp_path / "t.wacz"),
                              "--from", "2025-06-09T03:00:00Z", "--to", "2025-06-09T03:00:00Z")
    assert code == 0
    assert {p["ts"] for p in pages(tmp_path / "t.wacz")} == {"2025-06-09T03:00:00Z"}


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--format", "zip", "{tmp}/a.wacz"], 2, "argument --format: invalid choice: 'zip'"),
    (["--format", "wacz", "{tmp}/a.wacz", "--from", "June 1"], 2,
     "argument --from: not a date: 'June 1'"),
    (["--format", "wacz", "{tmp}/a.wacz", "--to", "2025-13-01"], 2,
     "argument --to: not a date: '2025-13-01'"),
    (["--format", "wacz", "{tmp}/a.wacz", "--from", "2025-06-09", "--to", "2025-06-02"], 2,
     "--from must be before --to"),
    (["--format", "wacz", "{tmp}/a.zip"], 2, "a WACZ file's name must end in .wacz"),
    (["--format", "wacz", "{tmp}/missing/a.wacz"], 2, "cannot write there: no directory"),
    (["--format", "wacz", "{tmp}/file/a.wacz"], 2, "cannot write there: no directory"),
    (["--format", "wacz", "{tmp}/a.wacz", "--view", "captures"], 2,
     "--view: only with --format parquet"),
    (["{tmp}/dir", "--from", "2025-06-01"], 2, "--from/--to: only with --format wacz"),
    (["--format", "wacz", "{tmp}/a.wacz", "--from", "2030-01-01"], 1,
     "nothing to export: no readable WARC record dated in the range"),
])
def test_bad_input_is_one_line_and_a_status(data_dir: Path, tmp_path: Path, args: list[str],
                                            code: int, says: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (the real parser and run); argparse's own errors are one line too."""
    (tmp_path / "file").write_text("not a directory")
    argv = ["export", *(a.format(tmp=tmp_path) for a in args), "--data-dir", str(data_dir)]
    try:
        got = main(argv)
    except SystemExit as exc:
        got = exc.code
    stdout, stderr = capsys.readouterr()
    assert (got, stdout) == (code, "")
    assert stderr.startswith("verdicts export: ") and stderr.count("\n") == 1, stderr
    assert says in stderr
    assert not list(tmp_path.rglob("*.wacz")) and not list(tmp_path.rglob(".*.part"))


def test_an_empty_or_missing_archive_is_one_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "a.wacz")
    assert main(["export", "--format", "wacz", out, "--data-dir", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith("verdicts export: no archive to export: ")
    (tmp_path / "empty" / "archive").mkdir(parents=True)
    assert main(["export", "--format", "wacz", out, "--data-dir", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("verdicts export: nothing to export: no readable WARC record in ")
    assert err.count("\n") == 1


def test_help_names_both_formats_and_the_dates() -> None:
    done = subprocess.run([*VERDICTS, "export", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)
    bad = subprocess.run([*VERDICTS, "export", "--format", "zip", "x.wacz"], cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=False)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == ("verdicts export: error: argument --format: invalid choice: 'zip' "
                          "(choose from 'parquet', 'wacz') (see --help)\n")
    for text in ("--format {parquet,wacz}", "FILE.wacz", "--from DATE", "--to DATE",
                 "replayweb.page", "wb-manager add --unpack-wacz", "YYYY-MM-DD"):
        assert text in done.stdout
