"""The Prefect flow vs the same crawl called directly (no Prefect), same run.

    python -m bench.flow_overhead [--scale 1000] [--rate 0] [--rounds 3]

Both sides run the identical pipeline (`flows.crawl.run_pipeline`): `crawl()` drives it
with plain threads, `nightly_crawl()` as a Prefect flow with one task run per batch
(discover, fetch-batch, parse-batch) and a markdown artifact, against Prefect's
ephemeral server in a throwaway PREFECT_HOME. The server's one-time start is measured on
its own (a deployed nightly crawl talks to a server that is already up). Each round
crawls a fresh data directory; rounds alternate, the median of each side is compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the figures side by side."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=1000)
    p.add_argument("--rate", type=float, default=0.0, help="requests/s (0 = unlimited)")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)

    home = tempfile.mkdtemp(prefix="prefect-home-")
    os.environ.update(PREFECT_HOME=home, PREFECT_SERVER_ANALYTICS_ENABLED="false",
                      PREFECT_LOGGING_LEVEL="WARNING")
    from bench.crawl import replica_process
    from flows.crawl import crawl, nightly_crawl

    kw: dict[str, Any] = {"rate": args.rate, "concurrency": args.concurrency,
                          "batch_size": args.batch_size, "obey_robots": False}
    times: dict[str, list[float]] = {"direct": [], "prefect": []}
    pages = 0
    with replica_process("--scale", str(args.scale), "--crawl-delay", "-1") as base:
        with tempfile.TemporaryDirectory() as warm:  # warm the replica's page cache
            crawl(base, data_dir=warm, **kw)
        from prefect import flow

        @flow
        def noop() -> int:
            return 1

        t0 = time.perf_counter()
        noop()  # starts the ephemeral server once
        startup = time.perf_counter() - t0
        for _ in range(args.rounds):
            for side in ("direct", "prefect"):
                with tempfile.TemporaryDirectory() as data:
                    t0 = time.perf_counter()
                    fn = crawl if side == "direct" else nightly_crawl
                    summary = fn(base, data_dir=data, **kw)
                    times[side].append(time.perf_counter() - t0)
                    pages = summary["counts"]["fetched"]
            print(f"round: direct {times['direct'][-1]:.2f} s, "
                  f"prefect {times['prefect'][-1]:.2f} s", flush=True)

    direct, prefect = statistics.median(times["direct"]), statistics.median(times["prefect"])
    tasks = 1 + 2 * -(-pages // args.batch_size)
    print(f"\n{pages} pages, batches of {args.batch_size} ({tasks} task runs), "
          f"rate {'unlimited' if not args.rate else args.rate}, concurrency {args.concurrency}")
    print(f"{'':34}{'median s':>10}{'pages/s':>9}{'vs direct':>11}")
    print(f"{'direct (no Prefect, threads)':34}{direct:>10.2f}{pages / direct:>9.0f}{1:>10.2f}x")
    print(f"{'Prefect flow (thread runner)':34}{prefect:>10.2f}{pages / prefect:>9.0f}"
          f"{prefect / direct:>10.2f}x")
    print(f"overhead: {100 * (prefect - direct) / direct:+.1f}% "
          f"(~{1000 * (prefect - direct) / tasks:.0f} ms per task run); goal <= +10%")
    print(f"one-time ephemeral server start (not in the figures above): {startup:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
