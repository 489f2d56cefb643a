"""archive._naming: how WARC files are named, and which run a crawl WARC belongs to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archive import WarcWriter, crawl_run_of, crawl_warc_prefix, run_warcs, warc_files

RUN = "20250304T050607Z-0123abcd"
T0 = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_crawl_run_of_reads_the_writers_names(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, prefix=crawl_warc_prefix(RUN)) as w:
        w.write_resource(None, content_type="text/plain", body=b"x", date=T0)
        path = w.path
    assert path is not None
    assert crawl_warc_prefix(RUN) == f"crawl-{RUN}"
    assert crawl_run_of(path) == RUN
    assert run_warcs(tmp_path, RUN) == [path]
    assert run_warcs(tmp_path, "20250101T000000Z-ffffffff") == []


def test_crawl_run_of() -> None:
    assert crawl_run_of(Path(f"a/crawl-{RUN}-20250304050607-12.warc")) == RUN
    assert crawl_run_of(Path("crawl-any-run-id-20250304050607-1.warc.gz")) == "any-run-id"
    assert crawl_run_of(Path("import-20250304050607-1.warc.gz")) is None
    assert crawl_run_of(Path("crawl-20250304050607-1.warc.gz")) is None  # no run id
    assert crawl_run_of(Path(f"crawl-{RUN}-2025030405060-1.warc.gz")) is None  # 13 digits
    assert crawl_run_of(Path(f"crawl-{RUN}-20250304050607-1.warc.gz.tmp")) is None
    assert crawl_run_of(Path("mixed.warc.gz")) is None


def test_warc_files_lists_every_warc_in_name_order(tmp_path: Path) -> None:
    names = ["b.warc", "a.warc.gz", f"crawl-{RUN}-20250304050607-1.warc.gz"]
    for name in [*names, "notes.txt", "c.warc.gz.tmp", "d.warcx"]:
        (tmp_path / name).write_bytes(b"")
    assert warc_files(tmp_path) == [tmp_path / n for n in sorted(names)]
    assert warc_files(tmp_path / "missing") == []
