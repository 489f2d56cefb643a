"""The Common Crawl stand-in (index + byte ranges of the same WARCs) and the FaultProxy."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator

import httpx
import pytest
import wayback_support as ws
from warcio.archiveiterator import ArchiveIterator
from wayback_support import CommonCrawlSite

from parsers import parse_comparison
from replica import CaptureKind, CommonCrawlIndex, FaultProxy
from replica.captures import sha1_base32
from replica.commoncrawl import crawl_id
from replica.faultproxy import ProxyAction

archive_replica, wayback_archive, common_crawl = (
    ws.archive_replica, ws.wayback_archive, ws.common_crawl)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


def index_lines(site: CommonCrawlSite, http: httpx.Client, crawl: str,
                **params: str) -> list[dict[str, str]]:
    r = http.get(site.cc.index_url(crawl),
                 params={"url": site.host + "/compare/*", "output": "json", **params})
    assert r.status_code == 200, r.text
    return [json.loads(line) for line in r.text.splitlines()]


def test_collinfo_lists_the_weekly_crawls(common_crawl: CommonCrawlSite,
                                          http: httpx.Client) -> None:
    site = common_crawl
    info = http.get(site.cc.collinfo_url).json()
    assert [c["id"] for c in info] == sorted(site.crawls, reverse=True)
    assert sorted(site.crawls) == ["CC-MAIN-2025-23", "CC-MAIN-2025-24"]  # ISO weeks of 2025-06-02…
    for entry in info:
        assert entry["cdx-api"] == site.cc.index_url(entry["id"])
        caps = site.crawls[entry["id"]]
        assert entry["from"] == caps[0].captured_at.strftime("%Y-%m-%dT%H:%M:%S")
        assert all(crawl_id(c.captured_at) == entry["id"] for c in caps)


def test_each_index_lists_exactly_its_crawls_captures(common_crawl: CommonCrawlSite,
                                                      http: httpx.Client) -> None:
    site = common_crawl
    seen = 0
    for crawl, caps in site.crawls.items():
        lines = index_lines(site, http, crawl)
        assert {"urlkey", "timestamp", "url", "mime", "status", "digest", "length",
                "offset", "filename"} <= set(lines[0])
        got = sorted((x["url"], x["timestamp"], x["digest"], x["status"], x["length"],
                      x["offset"]) for x in lines)
        want = sorted((c.url, c.timestamp, c.digest, str(c.status), str(c.length),
                       str(c.offset)) for c in caps)
        assert got == want
        assert all(x["filename"].startswith(f"crawl-data/{crawl}/segments/") and
                   x["filename"].endswith(".warc.gz") for x in lines)
        ok = index_lines(site, http, crawl, filter="=status:200")
        assert len(ok) == sum(c.status == 200 for c in caps)
        seen += len(lines)
    assert seen == len(site.captures)


def test_byte_ranges_are_single_warc_records(common_crawl: CommonCrawlSite,
                                             http: httpx.Client) -> None:
    site = common_crawl
    by_key = {(c.url, c.timestamp): c for c in site.captures}
    checked = 0
    for crawl in site.crawls:
        for line in index_lines(site, http, crawl)[::11]:
            cap = by_key[(line["url"], line["timestamp"])]
            start, length = int(line["offset"]), int(line["length"])
            r = http.get(site.cc.data_prefix + line["filename"],
                         headers={"Range": f"bytes={start}-{start + length - 1}"})
            assert r.status_code == 206 and len(r.content) == length
            assert r.headers["content-range"].startswith(f"bytes {start}-{start + length - 1}/")
            gzip.decompress(r.content)  # one complete gzip member
            records = [(rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                        rec.http_headers.get_statuscode(), rec.content_stream().read())
                       for rec in ArchiveIterator(io.BytesIO(r.content))]
            assert [x[:3] for x in records] == [("response", cap.url, str(cap.status))]
            payload = records[0][3]
            assert sha1_base32(payload) == cap.payload_digest
            if cap.kind == CaptureKind.COMPARISON:
                got = parse_comparison(payload, url=cap.url, content_type="text/html")
                assert got.to_dict() == site.expected(cap)
            checked += 1
    assert checked >= 20


def test_index_and_data_errors(common_crawl: CommonCrawlSite, http: httpx.Client) -> None:
    site = common_crawl
    crawl = sorted(site.crawls)[0]
    r = http.get(site.cc.index_url(crawl), params={"url": site.host + "/nothing/*",
                                                   "output": "json"})
    assert r.status_code == 404 and "No Captures found" in r.json()["message"]
    assert http.get(site.cc.index_url("CC-MAIN-1999-01"),
                    params={"url": site.host + "/*"}).status_code == 404
    name = index_lines(site, http, crawl)[0]["filename"]
    size = len(http.get(site.cc.data_prefix + name).content)
    assert size > 0
    r = http.get(site.cc.data_prefix + name, headers={"Range": f"bytes={size}-{size + 9}"})
    assert r.status_code == 416
    assert http.get(site.cc.data_prefix + "crawl-data/x/warc/none.warc.gz").status_code == 404
    text = http.get(site.cc.index_url(crawl), params={"url": site.host + "/compare/*",
                                                      "limit": "2"}).text
    assert len(text.splitlines()) == 2 and text.split(" ")[0].startswith("1,0,0,127:")


def test_crawls_can_be_chosen_by_hand(common_crawl: CommonCrawlSite,
                                      http: httpx.Client) -> None:
    site = common_crawl
    early = [c for c in site.captures if c.day < 2]
    with CommonCrawlIndex(site.root, {"CC-MAIN-2099-01": early}) as cc:
        r = http.get(cc.index_url("CC-MAIN-2099-01"),
                     params={"url": site.host + "/compare/*", "output": "json"})
        assert len(r.text.splitlines()) == len(early)


# -- FaultProxy ---------------------------------------------------------------------------


def test_fault_proxy_throttles_a_burst_then_forwards(common_crawl: CommonCrawlSite,
                                                     http: httpx.Client) -> None:
    site = common_crawl
    crawl = sorted(site.crawls)[0]
    upstream = site.cc.index_url(crawl)
    params = {"url": site.host + "/compare/*", "output": "json"}
    direct = http.get(upstream, params=params)
    with FaultProxy(site.cc.base, first=2, retry_after=3) as proxy:
        got = [http.get(proxy.url(upstream), params=params) for _ in range(3)]
        assert [r.status_code for r in got] == [429, 429, 200]
        assert all(r.headers["retry-after"] == "3" for r in got[:2])
        assert got[2].content == direct.content
        assert [(e.status, e.action, e.retry_after) for e in proxy.log] == [
            (429, ProxyAction.THROTTLED, 3), (429, ProxyAction.THROTTLED, 3),
            (200, ProxyAction.FORWARDED, None)]
        assert all(e.path.startswith(f"/{crawl}-index?") for e in proxy.log)
        assert proxy.log[0].time <= proxy.log[1].time <= proxy.log[2].time


def test_fault_proxy_every_kth_503_and_ranges(common_crawl: CommonCrawlSite,
                                              http: httpx.Client) -> None:
    site = common_crawl
    line = index_lines(site, http, sorted(site.crawls)[0])[0]
    start, length = int(line["offset"]), int(line["length"])
    rng = {"Range": f"bytes={start}-{start + length - 1}"}
    direct = http.get(site.cc.data_prefix + line["filename"], headers=rng)
    with FaultProxy(site.cc.base, every=3, unavailable_every=4, only="/data/") as proxy:
        url = proxy.url(site.cc.data_prefix + line["filename"])
        statuses = [http.get(url, headers=rng).status_code for _ in range(8)]
        assert statuses == [206, 206, 429, 503, 206, 429, 206, 503]
        assert http.get(proxy.url(site.cc.collinfo_url)).status_code == 200  # not counted
        r = http.get(url, headers=rng)  # the 9th /data/ request: 429
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        r = http.get(url, headers=rng)
        assert r.status_code == 206 and r.content == direct.content
        assert r.headers["content-range"] == direct.headers["content-range"]
        assert len(proxy.log) == 11


def test_fault_proxy_rate_limit(common_crawl: CommonCrawlSite, http: httpx.Client) -> None:
    """With a one-hour minimum interval only the first request gets through."""
    site = common_crawl
    with FaultProxy(site.cc.base, min_interval=3600, retry_after=60) as proxy:
        got = [http.get(proxy.url(site.cc.collinfo_url)) for _ in range(3)]
        assert [r.status_code for r in got] == [200, 429, 429]
        assert got[1].headers["retry-after"] == "60"
        proxy.reset()
        assert http.get(proxy.url(site.cc.collinfo_url)).status_code == 200
        assert [e.action for e in proxy.log] == [ProxyAction.FORWARDED]
