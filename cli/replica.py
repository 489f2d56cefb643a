"""`verdicts replica`: serve the local copy of shiporskip.io until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from cli._options import Subparsers, add_command
from replica import CommonCrawlIndex, LocalWayback, Replica, build_collection, weekly_crawls
from replica.faults import PROFILE_HELP

DESCRIPTION = """\
Serve a local, deterministic copy of shiporskip.io on loopback: comparison pages in both
layouts and several markups, tool and reviewer pages, robots.txt, a sitemap index with
plain and gzipped urlsets, ETag/Last-Modified validators (304s), gzip, and HEAD.

Everything is a function of --seed and --day: day by day tools are added (with new
comparison pages), a few pages change verdicts, scores or community votes (only their
<lastmod> moves), a few pages go away (404 or 410), and on the template day (default 9)
every page switches to new markup with the same visible text.

With --wayback N it also serves the site's past, for trying `verdicts backfill` by hand: the
comparison pages of the N days before --day as a public web archive would hold them (about
one capture per page in three days, a few digest duplicates and odd captures), replayed by a
real pywb (needs `make wayback`) with its CDX API, and the same WARCs as weekly Common Crawl
crawls (collinfo.json, per-crawl CDX index, byte ranges).
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
  verdicts replica --port 8000 --wayback 10          # day 10, archived days 0-9
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
    p.add_argument("--day", type=int, default=None,
                   help="simulated day, >= 0 (default 0, or N with --wayback N)")
    p.add_argument("--faults", default=None, metavar="PROFILE[,PROFILE…]",
                   help="fault profiles to enable (see below)")
    p.add_argument("--seed", type=int, default=1, help="catalog seed (default 1)")
    p.add_argument("--scale", type=int, default=None, metavar="N",
                   help="generate at least N comparison pages (default ~300)")
    p.add_argument("--steady", action="store_true",
                   help="remove as many pages a day as are added (default: the site grows "
                        "by about 1%% a day)")
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
    p.add_argument("--wayback", type=int, default=0, metavar="DAYS",
                   help="also serve a local web archive of the DAYS days before --day "
                        "(pywb + a Common Crawl stand-in)")
    p.add_argument("--wayback-dir", type=Path, default=None, metavar="DIR",
                   help="where to build the archive (default: a temporary directory)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Start the replica and block until interrupted."""
    if args.day is None:
        args.day = max(args.wayback, 0)
    if args.day < 0 or args.wayback < 0:
        print("verdicts: --day and --wayback must be >= 0")
        return 2
    if args.wayback and args.day == 0:
        print("verdicts: --wayback archives the days before --day; use --day 1 or later")
        return 2
    try:
        rep = Replica(
            day=args.day, faults=args.faults, seed=args.seed, scale=args.scale,
            host=args.host, port=args.port, sitemaps=not args.no_sitemaps,
            crawl_delay=None if args.crawl_delay < 0 else args.crawl_delay,
            slow_delay=args.slow_delay, fault_rate=args.fault_rate,
            template_day=args.template_day, steady=args.steady,
        )
    except ValueError as exc:
        print(f"verdicts: {exc}")
        return 2
    try:
        rep.start()
    except OSError as exc:
        print(f"verdicts: cannot listen on {args.host}:{args.port}: {exc}")
        return 1
    _describe(rep)
    with contextlib.ExitStack() as stack:
        stack.callback(rep.stop)
        if args.wayback:
            try:
                _serve_archives(rep, args, stack)
            except (OSError, RuntimeError) as exc:
                print(f"verdicts: cannot serve the archive: {exc}")
                return 1
        print("Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    print(f"stopped after {len(rep.requests)} requests")
    return 0


def _describe(rep: Replica) -> None:
    """Print what the replica serves and where."""
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


def _serve_archives(rep: Replica, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
    """Build the past days' archive, start pywb and the Common Crawl stand-in, print URLs."""
    days = range(max(0, args.day - args.wayback), args.day)
    if args.wayback_dir is None:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="verdicts-wb-")))
    else:
        root = args.wayback_dir
    started = time.monotonic()
    caps = build_collection(root, base_url=rep.base_url, days=days, seed=args.seed,
                            scale=args.scale, template_day=args.template_day, oddities=True)
    built = time.monotonic() - started
    wb = stack.enter_context(LocalWayback(root))
    cc = stack.enter_context(CommonCrawlIndex(root, weekly_crawls(caps)))
    host = rep.base_url.split("://", 1)[1]
    print(f"local web archive of days {days.start}-{days.stop - 1}: {len(caps)} captures "
          f"in {root} (built in {built:.1f}s, pywb up in {wb.startup_seconds:.1f}s)")
    print(f"  pywb CDX:    {wb.cdx_url}?url={host}/compare/*&output=json")
    print(f"  IA-style CDX: {wb.ia_cdx_url}?url={host}/compare/*&output=json"
          "&filter=statuscode:200&collapse=digest")
    first = caps[0]
    print(f"  a memento:   {wb.memento_url(first.timestamp, first.url)}")
    print(f"  Common Crawl: {cc.collinfo_url}  (crawls {', '.join(sorted(cc.crawls))})")
