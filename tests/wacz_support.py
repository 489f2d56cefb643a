"""Shared by the WACZ export tests: a real two-night crawl of the replica, and readers for
what is inside a .wacz file (its index, pages and datapackage)."""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flows.pipeline import crawl
from flows.writers import close_writers
from replica import Replica

NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
#: The two crawled nights: night 7 brings new, changed and gone pages and, for the pages
#: unchanged since night 0 (their 7-day recheck), 304 answers archived as revisits.
NIGHTS = (0, 7)


def night(n: int) -> datetime:
    return NIGHT0 + timedelta(days=n)


def crawl_two_nights(data: Path, scale: int = 12) -> Path:
    """`data` after a real crawl of the replica on nights 0 and 7; returns its archive dir."""
    with Replica(day=0, scale=scale, crawl_delay=None) as r:
        for n in NIGHTS:
            r.set_day(n)
            crawl(r.base_url, data_dir=str(data), observed_at=night(n), rate=100.0,
                  concurrency=4, parse_processes=0)
    close_writers()
    return data / "archive"


def members(wacz: Path) -> dict[str, bytes]:
    """Every file in the WACZ, by its path inside it."""
    with zipfile.ZipFile(wacz) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def cdxj(wacz: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """The CDXJ lines (urlkey, timestamp, fields) of indexes/index.cdx.gz, checked against
    indexes/index.idx: each block the .idx names inflates to lines it starts with."""
    files = members(wacz)
    blocks = files["indexes/index.cdx.gz"]
    lines: list[tuple[str, str, dict[str, Any]]] = []
    for raw in files["indexes/index.idx"].decode().splitlines():
        key, ts, rest = raw.split(" ", 2)
        if key == "!meta":
            continue
        where = json.loads(rest)
        text = gzip.decompress(blocks[where["offset"]:where["offset"] + where["length"]])
        block = [line.split(" ", 2) for line in text.decode().splitlines()]
        assert (block[0][0], block[0][1]) == (key, ts)
        lines += [(k, t, json.loads(j)) for k, t, j in block]
    return lines


def pages(wacz: Path) -> list[dict[str, Any]]:
    """pages/pages.jsonl without its header line (which is checked)."""
    rows = [json.loads(line) for line in members(wacz)["pages/pages.jsonl"].splitlines()]
    assert rows[0]["format"] == "json-pages-1.0"
    return rows[1:]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
