"""`verdicts replica`: serve the local copy of shiporskip.io until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from collections import Counter

from cli._options import Subparsers, add_command
from replica import Replica
from replica.faults import PROFILE_HELP

DESCRIPTION = """\
Serve a local, deterministic copy of shiporskip.io on loopback: comparison pages in both
layouts and several markups, tool and reviewer pages, robots.txt, a sitemap index with
plain and gzipped urlsets, ETag/Last-Modified validators (304s), gzip, and HEAD.

Everything is a function of --seed and --day: day by day tools are added (with new
comparison pages), a few pages change verdicts, scores or community votes (only their
<lastmod> moves), a few pages go away (404 or 410), and on the template day (default 9)
every page switches to new markup with the same visible text.
"""

EPILOG = f"""\
fault profiles (--faults, comma-separated; each hits a stable subset of comparison URLs,
chosen from --seed and the path; recoverable ones heal after 1-2 attempts):
{PROFILE_HELP}
  all               every profile above, each on different URLs

examples:
  verdicts replica --port 8000 --day 0
  verdicts replica --port 8000 --day 3 --faults 5xx,429,slow --slow-delay 2
  verdicts replica --port 8000 --scale 10000 --crawl-delay 0
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts replica`."""
    p = add_command(
        subparsers, "replica",
        help="serve a local copy of shiporskip.io (for crawls, tests and benchmarks)",
        description=DESCRIPTION, epilog=EPILOG,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    p.add_argument("--day", type=int, default=0, help="simulated day, >= 0 (default 0)")
    p.add_argument("--faults", default=None, metavar="PROFILE[,PROFILE…]",
                   help="fault profiles to enable (see below)")
    p.add_argument("--seed", type=int, default=1, help="catalog seed (default 1)")
    p.add_argument("--scale", type=int, default=None, metavar="N",
                   help="generate at least N comparison pages (default ~300)")
    p.add_argument("--slow-delay", type=float, default=5.0, metavar="SECONDS",
                   help="delay of the `slow` fault (default 5)")
    p.add_argument("--fault-rate", type=float, default=None, metavar="FRACTION",
                   help="share of comparison URLs with a fault (default 0.15; 0.3 for 4+ "
                        "profiles)")
    p.add_argument("--crawl-delay", type=float, default=1.0, metavar="SECONDS",
                   help="Crawl-delay in robots.txt (default 1; negative = none)")
    p.add_argument("--template-day", type=int, default=9, metavar="DAY",
                   help="day the site's markup changes (default 9)")
    p.add_argument("--no-sitemaps", action="store_true",
                   help="serve no sitemap (crawlers must follow links from /)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Start the replica and block until interrupted."""
    if args.day < 0:
        print("verdicts: --day must be >= 0")
        return 2
    try:
        rep = Replica(
            day=args.day, faults=args.faults, seed=args.seed, scale=args.scale,
            host=args.host, port=args.port, sitemaps=not args.no_sitemaps,
            crawl_delay=None if args.crawl_delay < 0 else args.crawl_delay,
            slow_delay=args.slow_delay, fault_rate=args.fault_rate,
            template_day=args.template_day,
        )
    except ValueError as exc:
        print(f"verdicts: {exc}")
        return 2
    try:
        rep.start()
    except OSError as exc:
        print(f"verdicts: cannot listen on {args.host}:{args.port}: {exc}")
        return 1
    cat = rep.catalog
    print(f"replica of shiporskip.io serving at {rep.base_url}/")
    print(f"  {cat.summary()}")
    print(f"  robots: {rep.base_url}/robots.txt   start page: {rep.base_url}/")
    if rep.sitemaps:
        print(f"  sitemap index: {rep.base_url}/sitemap.xml")
    else:
        print("  no sitemaps: discover pages by following links from /")
    seeds = cat.seed_paths
    for sid in sorted(seeds):
        print(f"  seed {sid}: {rep.base_url}{seeds[sid]}")
    if rep.fault_profiles:
        counts = Counter(f.profile for f in rep.faulty_paths().values())
        print("  faults: " + ", ".join(f"{p} on {counts.get(p, 0)} URLs"
                                       for p in rep.fault_profiles))
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        rep.stop()
        print(f"stopped after {len(rep.requests)} requests")
    return 0
