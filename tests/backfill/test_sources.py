"""Other ways in: Common Crawl (index + WARC byte ranges), the web.archive.org-shaped CDX
answer, a 429 storm behind a throttling proxy, and the CDX dialects read offline."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backfill_support import check_truth, in_window, odd_day, run_engine
from wayback_support import CommonCrawlSite, WaybackSite

from backfill import (
    BackfillSpec,
    Outcome,
    Politeness,
    Reason,
    Source,
    discover,
    memento_prefix,
    normalize_digest,
    parse_cdx,
    parse_timestamp,
)
from replica import CaptureKind, FaultProxy
from warehouse.db import connect


def test_common_crawl_loads_the_same_truth(common_crawl: CommonCrawlSite,
                                           spec_for: Callable[..., BackfillSpec]) -> None:
    site = common_crawl
    day = odd_day(site)
    since = day - timedelta(days=2)
    spec = spec_for(source=Source.COMMONCRAWL, site=site.replica_base, cc_index=site.cc.base,
                    cc_data=site.cc.data_prefix, since=since, until=day)
    settled = run_engine(spec)  # no --crawl: the crawls collinfo.json says overlap
    window = in_window(site, since, day)
    assert len(settled) == len(window)
    assert Counter(s.reason for s in settled if s.outcome == Outcome.FAILED) == {
        Reason.DIGEST_MISMATCH: 1}
    comparisons = [c for c in window if c.kind == CaptureKind.COMPARISON]
    assert check_truth(Path(spec.data_dir), site, comparisons, "commoncrawl") > 60
    con = connect(Path(spec.data_dir) / "verdicts.duckdb")
    try:
        refs = dict(con.execute("SELECT url || ' ' || observed_at, source_ref "
                                "FROM internal.capture").fetchall())
    finally:
        con.close()
    for c in comparisons:
        ref = refs.get(f"{c.url} {c.captured_at.astimezone().strftime('%Y-%m-%d %H:%M:%S')}")
        if ref is not None:  # a first copy: loaded with its Common Crawl file:offset
            assert ref.endswith(f"/{c.filename}:{c.offset}")


def test_named_crawl_only(common_crawl: CommonCrawlSite,
                          spec_for: Callable[..., BackfillSpec]) -> None:
    site = common_crawl
    crawl, caps = sorted(site.crawls.items())[0]
    spec = spec_for(source=Source.COMMONCRAWL, site=site.replica_base, cc_index=site.cc.base,
                    cc_data=site.cc.data_prefix, crawls=(crawl,))
    found = discover(spec).captures
    assert {(c.url, c.timestamp) for c in found} == {
        (c.url, c.timestamp) for c in caps if c.status == 200}
    assert all(c.filename and crawl in c.filename for c in found)


def test_web_archive_org_shaped_answer(local_wayback: WaybackSite,
                                       spec_for: Callable[..., BackfillSpec]) -> None:
    site = local_wayback
    day = odd_day(site)
    pywb = discover(spec_for(site=site.replica_base, cdx_url=site.wayback.cdx_url,
                             since=day, until=day)).captures
    ia = discover(spec_for(site=site.replica_base, cdx_url=site.wayback.ia_cdx_url,
                           since=day, until=day)).captures
    # web.archive.org's collapse=digest drops a capture whose digest repeats the one just
    # before it (same URL); pywb ignores collapse: those repeats become revisits there
    collapsed, last = [], {}
    for c in sorted(pywb, key=lambda c: (c.url, c.timestamp)):
        if last.get(c.url) != c.digest:
            collapsed.append((c.url, c.timestamp, c.digest))
        last[c.url] = c.digest
    assert sorted((c.url, c.timestamp, c.digest) for c in ia) == collapsed
    assert len(collapsed) < len(pywb)
    assert ia[0].fetch_url == site.wayback.ia_memento_url(ia[0].timestamp, ia[0].url)


def test_429_storm_honours_retry_after(local_wayback: WaybackSite,
                                       spec_for: Callable[..., BackfillSpec]) -> None:
    site = local_wayback
    day = odd_day(site)
    with FaultProxy(site.wayback.base, first=3, every=6, unavailable_every=13,
                    retry_after=1) as proxy:
        spec = spec_for(site=site.replica_base, cdx_url=f"{proxy.base}/replica/cdx",
                        since=day, until=day,
                        politeness=Politeness(rate=200.0, backoff_base=0.05,
                                              backoff_max=0.2, max_attempts=6))
        settled = run_engine(spec)
        log = list(proxy.log)
    refused = [e for e in log if e.status in (429, 503)]
    assert len(refused) >= 8
    for entry in refused:  # nothing reached the host before the Retry-After elapsed
        later = [e for e in log if e.time > entry.time]
        assert entry.retry_after is not None
        assert not later or min(e.time for e in later) >= entry.time + entry.retry_after
    assert len(settled) == len(in_window(site, day))
    assert {s.reason for s in settled if s.outcome == Outcome.FAILED} == {
        Reason.DIGEST_MISMATCH}


def test_cdx_dialects_offline() -> None:
    ia = json.dumps([["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest",
                      "length"],
                     ["io,x)/compare/a-vs-b", "20250102030405", "https://x.io/compare/a-vs-b",
                      "text/html", "200", "AAAA", "10"], [], ["RESUME-KEY"]])
    rows, resume = parse_cdx(ia)
    assert resume == "RESUME-KEY"
    assert rows == [{"urlkey": "io,x)/compare/a-vs-b", "timestamp": "20250102030405",
                     "url": "https://x.io/compare/a-vs-b", "mime": "text/html",
                     "status": "200", "digest": "AAAA", "length": "10"}]
    nd = '{"url": "https://x.io/compare/a-vs-b", "timestamp": "2025", "status": "200"}\n'
    assert parse_cdx(nd) == ([{"url": "https://x.io/compare/a-vs-b", "timestamp": "2025",
                               "status": "200"}], None)
    assert parse_cdx("") == ([], None) and parse_cdx("[]") == ([], None)
    assert memento_prefix("https://web.archive.org/cdx/search/cdx") == \
        "https://web.archive.org/web/"
    assert memento_prefix("http://127.0.0.1:8080/replica/cdx") == \
        "http://127.0.0.1:8080/replica/"
    assert normalize_digest("-") is None
    assert normalize_digest("abcd") == "sha1:ABCD"
    assert normalize_digest("da39a3ee5e6b4b0d3255bfef95601890afd80709") == \
        "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    assert parse_timestamp("2025") == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_timestamp("20250102030405").date() == date(2025, 1, 2)
