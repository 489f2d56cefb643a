"""The Prefect flow vs the same crawl called directly (no Prefect), same run.

    python -m bench.flow_overhead [--scale 1000] [--rate 0] [--rounds 3]

Both sides run the identical pipeline (`flows.pipeline.run_pipeline`): `crawl()` drives it
with plain threads, `nightly_crawl()` as a Prefect flow with one task run per batch
(discover, fetch-batch, parse-batch) and a markdown artifact, run the way `verdicts crawl`
runs it (`flows.runtime.flow_process`: Prefect's temporary server in a throwaway
PREFECT_HOME, no heartbeat thread). The server's one-time start is measured on its own (a
deployed nightly crawl talks to a server that is already up). Each round crawls a fresh
data directory; rounds alternate, the median of each side is compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any


def measure(base: str, kw: dict[str, Any], rounds: int) -> tuple[float, float, int]:
    """Median seconds of the direct crawl and of the flow, and the pages crawled."""
    from flows.nightly import nightly_crawl
    from flows.pipeline import crawl

    times: dict[str, list[float]] = {"direct": [], "prefect": []}
    pages = 0
    for _ in range(rounds):
        for side in ("direct", "prefect"):
            with tempfile.TemporaryDirectory() as data:
                t0 = time.perf_counter()
                fn = crawl if side == "direct" else nightly_crawl
                summary = fn(base, data_dir=data, **kw)
                times[side].append(time.perf_counter() - t0)
                pages = summary["counts"]["fetched"]
        print(f"  rate {kw['rate'] or 'unlimited'}: direct {times['direct'][-1]:.2f} s, "
              f"prefect {times['prefect'][-1]:.2f} s", flush=True)
    return statistics.median(times["direct"]), statistics.median(times["prefect"]), pages


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the figures side by side."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=1000)
    p.add_argument("--rates", default="0,50",
                   help="comma-separated requests/s to measure at (0 = unlimited)")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=None,
                   help="pages per fetch batch (default: the crawl's own, ~a minute of requests)")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)

    home = tempfile.mkdtemp(prefix="prefect-home-")
    os.environ.update(PREFECT_HOME=home, PREFECT_LOGGING_LEVEL="WARNING")
    os.environ.pop("PREFECT_API_URL", None)
    from flows.runtime import prefect_defaults

    prefect_defaults(verbose=False)  # as `verdicts` does, before Prefect is imported
    from prefect import flow

    from bench.crawl import replica_process
    from flows.pipeline import crawl
    from flows.runtime import flow_process

    @flow
    def noop() -> int:
        return 1

    results = []
    with replica_process("--scale", str(args.scale), "--crawl-delay", "-1") as base:
        common = {"concurrency": args.concurrency, "batch_size": args.batch_size,
                  "obey_robots": False}
        with tempfile.TemporaryDirectory() as warm:  # warm the replica's page cache
            crawl(base, data_dir=warm, rate=0, **common)
        t0 = time.perf_counter()
        with flow_process():  # starts the temporary server once
            startup = time.perf_counter() - t0
            noop()  # the first flow run of a process sets up its client
            t0 = time.perf_counter()
            noop()
            empty_flow = time.perf_counter() - t0
            for rate in (float(x) for x in args.rates.split(",")):
                results.append((rate, *measure(base, {"rate": rate, **common}, args.rounds)))

    print(f"\n{'':44}{'pages':>6}{'direct s':>10}{'flow s':>9}{'flow/direct':>13}{'overhead':>10}")
    for rate, direct, prefect, pages in results:
        batches = f"batches of {args.batch_size}" if args.batch_size else "paced batches"
        label = f"rate {'unlimited' if not rate else f'{rate:g}/s'}, {batches}"
        print(f"{label:44}{pages:>6}{direct:>10.2f}{prefect:>9.2f}{prefect / direct:>12.2f}x"
              f"{100 * (prefect - direct) / direct:>+9.1f}%")
    print(f"\nan empty flow run costs {empty_flow:.2f} s")
    print(f"one-time temporary server start (not in the figures above): {startup:.1f} s")
    print("goal: flow overhead <= +10%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
