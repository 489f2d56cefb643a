"""The local Wayback: real pywb over WARCs of the replica's past pages, checked against the
catalog (what was captured, when, with which bytes, and what those bytes parse to)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import wayback_support as ws
from warcio.archiveiterator import ArchiveIterator
from wayback_support import BACKFILL_DAYS, SEED, WaybackSite

from parsers import ParseError, parse_comparison
from replica import ArchivedCapture, CaptureKind, LocalWayback, build_collection, pywb_bin
from replica.captures import noon_stamp, sha1_base32

REPO = Path(__file__).resolve().parents[2]
archive_replica, wayback_archive, local_wayback = (
    ws.archive_replica, ws.wayback_archive, ws.local_wayback)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


def pywb_lines(site: WaybackSite, http: httpx.Client, **params: str) -> list[dict[str, str]]:
    r = http.get(site.wayback.cdx_url,
                 params={"url": site.host + "/compare/*", "output": "json", **params})
    assert r.status_code == 200
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def warc_payload(site: WaybackSite, cap: ArchivedCapture) -> bytes:
    """The response payload at the capture's offset in its WARC file, read with warcio."""
    path = site.root / "collections" / "replica" / "archive" / cap.filename
    with path.open("rb") as f:
        f.seek(cap.offset)
        record = next(iter(ArchiveIterator(f)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == cap.url
        return bytes(record.content_stream().read())


def sample(site: WaybackSite) -> list[ArchivedCapture]:
    """Every odd capture plus a spread of ordinary ones over all days and both templates."""
    odd: list[ArchivedCapture] = [c for c in site.captures if c.kind != CaptureKind.COMPARISON]
    spread: list[ArchivedCapture] = site.comparisons[::13]
    per_day = {c.day: c for c in reversed(site.comparisons)}  # each day's first page
    return odd + spread + [c for c in per_day.values() if c not in spread]


def test_the_archive_looks_like_a_public_one(local_wayback: WaybackSite) -> None:
    site = local_wayback
    kinds = Counter(c.kind for c in site.captures)
    assert kinds[CaptureKind.NOT_COMPARISON] == 1
    assert kinds[CaptureKind.BAD_DIGEST] == 1
    assert kinds[CaptureKind.NOT_200] >= 1
    per_day = Counter(c.day for c in site.comparisons)
    assert set(per_day) == set(BACKFILL_DAYS)
    for day, n in per_day.items():  # about one live page in three each day
        live = len(site.catalog(day).paths())
        assert live / 5 < n < live / 2, (day, n, live)
    # some pages were captured twice with the same bytes
    digests = Counter((c.url, c.digest) for c in site.comparisons)
    assert any(n > 1 for n in digests.values())
    for c in site.comparisons:
        assert c.url == site.replica_base + c.path
        assert c.timestamp == c.captured_at.strftime("%Y%m%d%H%M%S")
        assert 0 <= (c.captured_at - noon_stamp(c.day)).total_seconds() < 14 * 3600
        assert c.digest == c.payload_digest


def test_cdx_lists_exactly_the_captures(local_wayback: WaybackSite,
                                        http: httpx.Client) -> None:
    site = local_wayback
    lines = pywb_lines(site, http)
    got = sorted((x["url"], x["timestamp"], x["digest"], int(x["status"])) for x in lines)
    want = sorted((c.url, c.timestamp, c.digest, c.status) for c in site.captures)
    assert got == want
    offsets = {(x["url"], x["timestamp"]): (x["filename"], int(x["offset"]), int(x["length"]))
               for x in lines}
    assert all(offsets[(c.url, c.timestamp)] == (c.filename, c.offset, c.length)
               for c in site.captures)


def test_cdx_status_filter_and_date_range(local_wayback: WaybackSite,
                                          http: httpx.Client) -> None:
    site = local_wayback
    ok = pywb_lines(site, http, filter="statuscode:200")
    assert len(ok) == sum(c.status == 200 for c in site.captures)
    # from/to are inclusive 14-digit timestamps (shorter ones are padded): days 3..5
    lo = noon_stamp(3).strftime("%Y%m%d%H%M%S")
    hi = (noon_stamp(6) - timedelta(seconds=1)).strftime("%Y%m%d%H%M%S")
    ranged = pywb_lines(site, http, filter="statuscode:200", **{"from": lo, "to": hi})
    want = {(c.url, c.timestamp) for c in site.captures
            if c.status == 200 and 3 <= c.day <= 5}
    assert {(x["url"], x["timestamp"]) for x in ranged} == want
    # pywb ignores collapse=digest (documented): duplicates stay
    assert len(pywb_lines(site, http, filter="statuscode:200", collapse="digest")) == len(ok)


def collapsed(caps: list[ArchivedCapture]) -> list[tuple[str, str]]:
    """IA's collapse=digest: drop a row whose digest equals the previous row's."""
    out: list[tuple[str, str]] = []
    last = None
    for c in sorted(caps, key=lambda c: (c.url, c.timestamp)):
        if c.digest != last:
            out.append((c.url, c.timestamp))
        last = c.digest
    return out


def test_ia_shaped_cdx_collapses_digests(local_wayback: WaybackSite,
                                         http: httpx.Client) -> None:
    site = local_wayback
    r = http.get(site.wayback.ia_cdx_url, params={
        "url": site.host + "/compare/*", "output": "json", "filter": "statuscode:200",
        "collapse": "digest"})
    rows = r.json()
    assert rows[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode",
                       "digest", "length"]
    ok = [c for c in site.captures if c.status == 200]
    want = collapsed(ok)
    assert [(row[2], row[1]) for row in rows[1:]] == want
    assert len(want) < len(ok)
    text = http.get(site.wayback.ia_cdx_url, params={
        "url": site.host + "/compare/*", "fl": "timestamp,original", "limit": "3"}).text
    assert [line.split(" ") for line in text.splitlines()] == \
        [[c.timestamp, c.url] for c in site.captures[:3]]
    empty = http.get(site.wayback.ia_cdx_url, params={"url": site.host + "/nothing/*",
                                                       "output": "json"})
    assert empty.json() == []


def test_id_mementos_are_the_original_bytes(local_wayback: WaybackSite,
                                            http: httpx.Client) -> None:
    site = local_wayback
    for cap in sample(site):
        r = http.get(site.wayback.memento_url(cap.timestamp, cap.url))
        assert r.status_code == cap.status, cap
        assert sha1_base32(r.content) == cap.payload_digest == sha1_base32(
            warc_payload(site, cap))
        assert (sha1_base32(r.content) == cap.digest) == (cap.kind != CaptureKind.BAD_DIGEST)
        if cap.status == 301:  # the original Location, not rewritten
            assert r.headers["location"].startswith(site.replica_base + "/compare/")
            assert r.headers["location"] != cap.url


def test_mementos_parse_to_the_catalog_truth(local_wayback: WaybackSite,
                                             http: httpx.Client) -> None:
    site = local_wayback
    templates: Counter[int] = Counter()
    for cap in sample(site):
        r = http.get(site.wayback.memento_url(cap.timestamp, cap.url))
        if cap.kind == CaptureKind.NOT_COMPARISON:
            with pytest.raises(ParseError):
                parse_comparison(r.content, url=cap.url,
                                 content_type=r.headers["content-type"])
            continue
        if cap.status != 200:
            continue
        got = parse_comparison(r.content, url=cap.url,
                               content_type=r.headers["content-type"]).to_dict()
        assert got == site.expected(cap), cap
        templates[site.catalog(cap.day).template] += 1
    assert set(templates) == {1, 2}


def test_ia_memento_redirects_to_the_exact_capture(local_wayback: WaybackSite,
                                                   http: httpx.Client) -> None:
    site = local_wayback
    cap = site.comparisons[0]
    r = http.get(site.wayback.ia_memento_url(cap.timestamp[:8], cap.url))
    assert r.status_code == 302
    assert r.headers["location"] == site.wayback.ia_memento_url(cap.timestamp, cap.url)
    r = http.get(r.headers["location"])
    assert r.status_code == 200 and sha1_base32(r.content) == cap.payload_digest


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small-wayback")
    build_collection(root, base_url="http://127.0.0.1:9/", days=[0, 1], seed=SEED, scale=10)
    return root


def test_stop_kills_pywb(small_root: Path) -> None:
    wb = LocalWayback(small_root).start()
    pid = wb._proc.pid if wb._proc else 0
    assert wb.running and httpx.get(wb.cdx_url, params={"url": "x"}).status_code == 200
    wb.stop()
    assert not wb.running and not alive(pid)
    with pytest.raises(httpx.ConnectError):
        httpx.get(wb.base + "/")


@pytest.mark.slow
def test_pywb_dies_with_its_parent(small_root: Path) -> None:
    """A parent killed with SIGKILL (no stop()) still takes pywb down."""
    code = ("import sys, time; from pathlib import Path; from replica import LocalWayback\n"
            f"wb = LocalWayback(Path({str(small_root)!r}), collection='replica').start()\n"
            "print(wb._proc.pid, flush=True); time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(200):  # the child needs a moment to handle its SIGTERM
        if not alive(pid):
            break
        time.sleep(0.05)
    assert not alive(pid)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie nobody reaped yet counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_missing_pywb_and_collection_are_clear_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pywb_bin("wayback").is_file()
    monkeypatch.setenv("VERDICTS_PYWB_BIN_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"run `make wayback`"):
        pywb_bin("wayback")
    monkeypatch.delenv("VERDICTS_PYWB_BIN_DIR")
    with pytest.raises(FileNotFoundError, match="no collection"):
        LocalWayback(tmp_path).start()


@pytest.mark.slow
def test_cli_serves_the_replica_with_its_wayback() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "cli", "replica", "--port", "0",
                             "--scale", "10", "--wayback", "2"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        out = "".join(lines)
        assert "day 2 (" in out and "local web archive of days 0-1" in out
        (cdx,) = [x.split()[-1] for x in lines if "IA-style CDX:" in x]
        rows = httpx.get(cdx, timeout=30).json()
        assert rows[0][2] == "original" and len(rows) > 5
        (pywb,) = [x.split()[-1] for x in lines if "pywb CDX:" in x]
        assert httpx.get(pywb, timeout=30).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(pywb)
