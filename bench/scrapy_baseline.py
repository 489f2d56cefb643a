"""The Scrapy baseline for bench.crawl: crawl a list of URLs as fast as Scrapy can.

Run as a subprocess (Twisted's reactor runs once per process):

    python -m bench.scrapy_baseline URLS_FILE --concurrency 16 [--out result.json]

Same conditions as our crawler in the benchmark: robots.txt off, no delay, no
autothrottle, the same concurrency per host; the spider only counts responses. Prints
(and writes) JSON: pages, statuses, body bytes, seconds from spider open to close.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any


def run(urls: list[str], concurrency: int) -> dict[str, Any]:
    """Crawl `urls` with Scrapy and return the figures."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    stats: dict[str, Any] = {"pages": 0, "bytes": 0, "statuses": {}}

    class ListSpider(scrapy.Spider):
        name = "list"
        custom_settings: dict[str, Any] = {}

        async def start(self) -> AsyncIterator[scrapy.Request]:  # Scrapy's API (2.13+)
            for url in urls:
                yield scrapy.Request(url, dont_filter=True, callback=self.parse,
                                     errback=self.failed)

        def parse(self, response: Any) -> None:
            stats["pages"] += 1
            stats["bytes"] += len(response.body)
            key = str(response.status)
            stats["statuses"][key] = stats["statuses"].get(key, 0) + 1
            return None

        def failed(self, failure: Any) -> None:
            stats["statuses"]["error"] = stats["statuses"].get("error", 0) + 1

    times: dict[str, float] = {}
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "COOKIES_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "RETRY_TIMES": 2,
        "USER_AGENT": "VerdictArchive-bench-scrapy",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    crawler = process.create_crawler(ListSpider)

    def opened(spider: object) -> None:
        times.setdefault("open", time.perf_counter())

    def closed(spider: object, reason: str) -> None:
        times.setdefault("close", time.perf_counter())

    # Scrapy keeps only weak references to signal handlers: these locals outlive the crawl
    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    stats["seconds"] = times["close"] - times["open"]
    stats["pages_per_s"] = stats["pages"] / stats["seconds"] if stats["seconds"] else 0.0
    stats["concurrency"] = concurrency
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: read the URL list, crawl it, print JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("urls", type=Path, help="file with one URL per line")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    urls = [u for u in args.urls.read_text().split() if u]
    result = run(urls, args.concurrency)
    text = json.dumps(result)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
