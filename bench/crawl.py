"""Raw crawl throughput against the replica: our crawler vs Scrapy, same URLs, same run.

    python -m bench.crawl [--scale 3000] [--concurrency 16] [--rounds 2] [--parse-processes 1]

Politeness off on both sides (no robots.txt, no delay), the same concurrency per host,
the replica in its own process, warmed up first (every page rendered once) so neither
side pays for the replica's first renders. Rounds alternate Scrapy and ours; the best
round of each is compared. Ours is measured three times: the fetcher alone (what Scrapy
does: request, read, count); the raw crawl, fetch + WARC archive (every exchange written
and fsynced before it counts, what Scrapy would do with an archiving pipeline; written as
it lands by the crawl's archiver, one fsync per group); and the whole crawl (fetch + WARC
+ journal + parse + warehouse load, resumable, incl. discovery and the snapshot publish),
once more parsing in a thread, so that this process's CPU is all the crawl's: with the
replica's, it bounds what the machine's cores allow (the ceiling line).
Beside ours, httpx alone fetches the same URLs through the same kind of client our
fetcher opens (one AsyncClient per connection, bodies streamed raw): the floor our fetch
pays for its HTTP client. Each row gives the CPU it cost per page (the crawling
process's user + system time: this process, or Scrapy's) and the replica's, read from
/proc (Linux): on a small machine the crawl is CPU-bound, and these say where it goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from replica import free_port

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def replica_process(*args: str, timeout: float = 60.0) -> Iterator[str]:
    """Run `verdicts replica --port P ARGS…` in a subprocess; yield its base URL."""
    with _replica(*args, timeout=timeout) as (base, _):
        yield base


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds used by this process and its reaped children (a Scrapy run)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def _replica(*args: str, timeout: float = 60.0) -> Iterator[tuple[str, int]]:
    """The replica subprocess: its base URL and pid."""
    port = free_port()
    cmd = [sys.executable, "-m", "cli", "replica", "--host", "127.0.0.1",
           "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"replica exited: {err[-500:]}")
            try:
                if httpx.get(base + "/robots.txt", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("replica did not start")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def discover_urls(base_url: str) -> list[str]:
    """The comparison URLs the replica's sitemaps list."""
    from crawler._discovery import discover
    from crawler._fetch import FetchConfig, Fetcher
    from crawler._robots import RobotsPolicy

    async def go() -> list[str]:
        cfg = FetchConfig(rate=None, concurrency=8, obey_robots=False)
        async with Fetcher(base_url, cfg) as f:
            found = await discover(f, base_url, robots=RobotsPolicy(user_agent=cfg.user_agent,
                                                                    mode="allow_all"))
        return list(found.pages)

    return asyncio.run(go())


def fetch_only(base_url: str, urls: list[str], concurrency: int) -> dict[str, Any]:
    """Our fetcher alone over `urls`: requests, bodies read and decoded, nothing kept."""
    from crawler._fetch import FetchConfig, Fetcher

    cfg = replace(FetchConfig(), rate=None, concurrency=concurrency, obey_robots=False)

    async def go() -> dict[str, Any]:
        async with Fetcher(base_url, cfg) as f:
            t0 = time.perf_counter()
            results = await asyncio.gather(*(f.fetch(u) for u in urls))
            seconds = time.perf_counter() - t0
        ok = sum(r.outcome == "fetched" for r in results)
        return {"pages": ok, "seconds": seconds, "pages_per_s": ok / seconds,
                "bytes": sum(len(r.body or b"") for r in results)}

    return asyncio.run(go())


def httpx_alone(base_url: str, urls: list[str], concurrency: int) -> dict[str, Any]:
    """httpx by itself over `urls`: `concurrency` clients of one connection each (as our
    fetcher opens them), each body streamed raw and kept; no checks, no retries, no
    decoding. What our fetch costs beyond this is our own code."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def go() -> dict[str, Any]:
        clients = [httpx.AsyncClient(limits=limits, trust_env=False)
                   for _ in range(concurrency)]
        free = list(clients)
        slots = asyncio.Semaphore(concurrency)

        async def one(url: str) -> int:
            async with slots:
                client = free.pop()
                try:
                    async with client.stream("GET", url) as response:
                        body = b"".join([chunk async for chunk in response.aiter_raw()])
                    return len(body) if response.status_code == 200 else -1
                finally:
                    free.append(client)

        t0 = time.perf_counter()
        sizes = await asyncio.gather(*(one(u) for u in urls))
        seconds = time.perf_counter() - t0
        for client in clients:
            await client.aclose()
        ok = sum(size >= 0 for size in sizes)
        return {"pages": ok, "seconds": seconds, "pages_per_s": ok / seconds,
                "bytes": sum(size for size in sizes if size > 0)}

    return asyncio.run(go())


def fetch_archive(base_url: str, urls: list[str], concurrency: int) -> dict[str, Any]:
    """The raw crawl: our fetcher over `urls`, each fetch's exchanges handed to the
    crawl's archiver (:class:`flows.archiver.Archiver`: request and response records
    written at once, one fsync per group) and counted once durable, a page holding its
    slot until then, as the crawl does (no journal)."""
    from datetime import UTC, datetime

    from crawler._fetch import FetchConfig, Fetcher
    from flows.archiver import Archiver
    from flows.archiving import RunSpec
    from flows.writers import close_writers, run_writer

    cfg = replace(FetchConfig(), rate=None, concurrency=concurrency, obey_robots=False)

    with tempfile.TemporaryDirectory() as tmp:
        spec = RunSpec(run_id="20250101T000000Z-bench000", base_url=base_url, data_dir=tmp,
                       observed_at=datetime.now(UTC), simulated=False, config=cfg,
                       parser_version="bench")
        writer, lock = run_writer(spec)

        async def go() -> dict[str, Any]:
            ok = 0
            slots = asyncio.Semaphore(concurrency)

            async def one(url: str) -> None:
                nonlocal ok
                async with slots:
                    result = await f.fetch(url)
                    await archiver.commit(result, None)
                ok += result.outcome == "fetched"

            with Archiver(writer, lock, spec, None) as archiver:
                async with Fetcher(base_url, cfg) as f:
                    t0 = time.perf_counter()
                    await asyncio.gather(*(one(u) for u in urls))
                    seconds = time.perf_counter() - t0
            return {"pages": ok, "seconds": seconds, "pages_per_s": ok / seconds,
                    "fsyncs": archiver.groups,
                    "warc_bytes": sum(p.stat().st_size for p in writer.paths)}

        try:
            return asyncio.run(go())
        finally:
            close_writers(spec.run_id)


def full_crawl(base_url: str, concurrency: int, parse_processes: int = 1) -> dict[str, Any]:
    """The whole pipeline without Prefect: discover, fetch, archive, parse, load."""
    from flows.pipeline import crawl

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = crawl(base_url, data_dir=tmp, rate=0, obey_robots=False,
                        concurrency=concurrency, batch_size=200,
                        parse_processes=parse_processes)
        seconds = time.perf_counter() - t0
    pages = summary["counts"]["fetched"]
    return {"pages": pages, "seconds": seconds, "pages_per_s": pages / seconds}


def scrapy(urls: list[str], concurrency: int) -> dict[str, Any]:
    """Scrapy over the same URLs, in a subprocess (bench/scrapy_baseline.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.txt"
        listing.write_text("\n".join(urls))
        out = subprocess.run(
            [sys.executable, "-m", "bench.scrapy_baseline", str(listing),
             "--concurrency", str(concurrency)],
            cwd=REPO, capture_output=True, text=True, timeout=1800, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def ceiling(whole: dict[str, Any], scrapy_rate: float, goal: float = 1.5) -> str:
    """What the machine's cores allow the full crawl, from the CPU it costs a page (all of
    it in this process: parsing in a thread) and the replica's: the pages/s it could reach
    with every core busy and nothing lost to waiting, and the CPU a page may cost at most
    for `goal` × Scrapy's pages/s. On a small machine this says whether a goal is a matter
    of overlap (the ceiling is above it) or of CPU (it is not)."""
    cores = len(os.sched_getaffinity(0))
    crawl_ms = 1000 * whole["cpu_s"] / whole["pages"]
    replica_ms = 1000 * whole["replica_cpu_s"] / whole["pages"]
    top = 1000 * cores / (crawl_ms + replica_ms)
    budget = 1000 * cores / (goal * scrapy_rate) - replica_ms
    return (f"ceiling on {cores} cores: the full crawl's {crawl_ms:.2f} ms of CPU a page (its "
            f"parsing included) and the replica's {replica_ms:.2f} allow at most {top:.0f} "
            f"pages/s, {top / scrapy_rate:.2f}x Scrapy, with every core busy; {goal}x needs "
            f"{budget:.2f} ms a page or less")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures side by side."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=3000, help="comparison pages in the replica")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--parse-processes", type=int, default=1,
                   help="parser worker processes of the full crawl (0: a thread)")
    args = p.parse_args(argv)

    n = args.concurrency
    with _replica("--scale", str(args.scale), "--crawl-delay", "-1") as (base, pid):
        urls = discover_urls(base)
        print(f"replica {base}: {len(urls)} comparison URLs; concurrency {n}")
        fetch_only(base, urls, n)  # warm-up: every page rendered once
        modes: dict[str, Callable[[], dict[str, Any]]] = {
            "scrapy": lambda: scrapy(urls, n),
            "httpx": lambda: httpx_alone(base, urls, n),
            "fetch": lambda: fetch_only(base, urls, n),
            "raw": lambda: fetch_archive(base, urls, n),
            "crawl": lambda: full_crawl(base, n, args.parse_processes),
            "whole": lambda: full_crawl(base, n, 0),
        }
        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in modes}
        for i in range(args.rounds):
            for key, run in modes.items():
                cpu, replica = own_cpu(), process_cpu(pid)
                result = run()
                result["cpu_s"] = own_cpu() - cpu
                result["replica_cpu_s"] = process_cpu(pid) - replica
                rows[key].append(result)
            print(f"round {i + 1}: " + ", ".join(
                f"{k} {v[-1]['pages_per_s']:.0f} pages/s" for k, v in rows.items()), flush=True)

    best = {k: max(v, key=lambda r: r["pages_per_s"]) for k, v in rows.items()}
    base_rate = best["scrapy"]["pages_per_s"]
    labels = {"scrapy": "Scrapy (baseline)",
              "httpx": "httpx alone (our fetcher's client)",
              "fetch": "ours: fetch only",
              "raw": "ours: raw crawl (fetch + WARC archive)",
              "crawl": "ours: full crawl (fetch+WARC+parse+load)",
              "whole": "ours: full crawl, parsing in a thread"}
    print(f"\n{'':44}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'vs Scrapy':>11}"
          f"{'CPU ms/page':>13}{'replica':>9}")
    for key, label in labels.items():
        r = best[key]
        print(f"{label:44}{r['pages']:>7}{r['seconds']:>9.2f}{r['pages_per_s']:>9.0f}"
              f"{r['pages_per_s'] / base_rate:>10.2f}x"
              f"{1000 * r['cpu_s'] / r['pages']:>13.2f}"
              f"{1000 * r['replica_cpu_s'] / r['pages']:>9.2f}")
    print("(CPU: the crawling process, user + system, per page: this process, or Scrapy's; "
          "the full crawl's parse worker not counted. replica: the server's CPU per page)")
    raw = best["raw"]
    print(f"\nraw crawl: {raw['fsyncs']} WARC fsyncs for {raw['pages']} pages")
    print(ceiling(best["whole"], base_rate))
    for key, goal in (("raw", 1.0), ("crawl", 1.5)):
        ratio = best[key]["pages_per_s"] / base_rate
        print(f"goal: {labels[key].removeprefix('ours: ')} >= {goal}x Scrapy's pages/s: "
              f"{ratio:.2f}x -> " + ("holds" if ratio >= goal else "does NOT hold"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
