"""Run every benchmark in bench/, one after the other: `python -m bench` (or `make bench`)."""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = ["parse", "crawl", "incremental", "flow_overhead", "views"]


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default); each prints its own figures and ratios."""
    names = argv or BENCHMARKS
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        module.main([])
        print(f"(bench.{name} took {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
