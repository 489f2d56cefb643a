"""`verdicts backfill`: the site's past comparison pages from a web archive, archived and
loaded with their capture times and provenance."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from cli._exits import add_verbose, add_wait, exit_for, hide_run_tracebacks
from cli._options import (
    HelpFormatter,
    Subparsers,
    add_command,
    add_data_dir,
    fail,
    positive_int,
)
from crawler import LIVE_BASE_URL
from flows import settings

DESCRIPTION = """\
Backfill history from before the first crawl: ask a web archive's CDX API which captures
of the site's /compare/ pages it holds between --from and --to, fetch each one politely,
check its payload against the CDX digest, archive it to DATA_DIR/archive/backfill-*.warc.gz
(WARC-Target-URI = the page's own URL, WARC-Date = the capture's time, WARC-Source-URI =
where it came from; a payload already archived for that URL becomes a revisit record),
then parse and load it with observed_at = the capture's time and source 'wayback' or
'commoncrawl'.

Sources: the Wayback Machine (default), any Wayback-compatible CDX endpoint given as a URL
(pywb's http://host/COLL/cdx, a national library's …/cdx/search/cdx), or Common Crawl
(--crawl CC-MAIN-… one or more times; without it, the crawls whose dates overlap the
window). Archives throttle hard: 0.5 requests/s per archive host by default, 429 and
Retry-After honoured for the whole host, 5xx and network errors backed off.

A backfill killed at any moment resumes where it stopped (DATA_DIR/backfill/ledger.jsonl
says what is settled); run twice, it adds nothing. A capture whose payload does not match
its CDX digest, or whose URL is no comparison page, is recorded with its reason and not
tried again; network failures are retried by the next run.

Exit status: 0 done (failures, if any, are counted and listed); 1 the CDX server could not
list the captures, or captures were due and none could be fetched (one line says why);
2 bad options, or another crawl/import/reparse/backfill holds the data dir (see --wait)."""

EPILOG = """\
examples:
  verdicts backfill --from 2025-01-01 --to 2025-03-31
  verdicts backfill --source commoncrawl --crawl CC-MAIN-2025-13 --max-captures 200
  verdicts backfill --source http://127.0.0.1:8080/replica/cdx --site http://127.0.0.1:8734 \\
                   --rate 20
"""

SOURCES = ("wayback", "commoncrawl")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (e.g. 2025-06-01)") from None


def _rate(value: str) -> float:
    r = float(value)
    if not r > 0:
        raise argparse.ArgumentTypeError(f"must be > 0 requests/s, got {value}")
    return r


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts backfill`."""
    from backfill import CC_DATA, CC_INDEX, DEFAULT_RATE

    p = add_command(subparsers, "backfill",
                    help="load past captures of the site from a web archive (Wayback, "
                         "Common Crawl)", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=HelpFormatter)
    p.add_argument("--from", dest="since", type=_day, metavar="DATE",
                   help="first capture day (UTC, inclusive; default: the archive's first)")
    p.add_argument("--to", dest="until", type=_day, metavar="DATE",
                   help="last capture day (UTC, inclusive; default: the archive's last)")
    p.add_argument("--source", default="wayback", metavar="wayback|commoncrawl|URL",
                   help="the archive: the Wayback Machine, Common Crawl, or the URL of a "
                        "Wayback-compatible CDX endpoint")
    p.add_argument("--crawl", action="append", default=[], metavar="CC-MAIN-…",
                   help="a Common Crawl crawl to search (repeatable; default: those "
                        "overlapping the window)")
    p.add_argument("--max-captures", type=positive_int, metavar="N",
                   help="fetch at most N captures this run (the rest next run)")
    p.add_argument("--site", default=LIVE_BASE_URL, metavar="BASE_URL",
                   help="the site whose /compare/ pages to look for")
    p.add_argument("--rate", type=_rate, default=DEFAULT_RATE, metavar="R",
                   help="requests per second per archive host")
    p.add_argument("--cc-index", default=CC_INDEX, metavar="URL",
                   help="Common Crawl's index server")
    p.add_argument("--cc-data", default=CC_DATA, metavar="URL",
                   help="where Common Crawl's WARC files are")
    p.add_argument("--batch-size", type=positive_int, default=25, metavar="N",
                   help="captures per fetch task")
    add_data_dir(p)
    p.add_argument("--json", action="store_true", help="print the totals as JSON")
    add_wait(p)
    add_verbose(p)
    p.set_defaults(func=run)
    return p


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def build_spec(args: argparse.Namespace) -> Any:
    """The BackfillSpec from parsed options; ValueError naming the bad option."""
    from backfill import BackfillSpec, Politeness, Source, memento_prefix, site_pattern

    if args.since and args.until and args.since > args.until:
        raise ValueError(f"--from {args.since} is after --to {args.until}")
    try:
        site_pattern(args.site)
    except ValueError as exc:
        raise ValueError(f"--site: {exc}") from None
    common: dict[str, Any] = {
        "data_dir": str(settings.data_dir(args.data_dir).resolve()), "site": args.site,
        "since": args.since, "until": args.until, "max_captures": args.max_captures,
        "politeness": Politeness(rate=args.rate),
    }
    if args.source == "commoncrawl":
        for name in ("cc_index", "cc_data"):
            if not _is_url(getattr(args, name)):
                raise ValueError(f"--{name.replace('_', '-')}: not a URL: {getattr(args, name)}")
        return BackfillSpec(source=Source.COMMONCRAWL, crawls=tuple(args.crawl),
                            cc_index=args.cc_index, cc_data=args.cc_data, **common)
    if args.crawl:
        raise ValueError("--crawl: only with --source commoncrawl")
    if args.source == "wayback":
        return BackfillSpec(source=Source.WAYBACK, **common)
    if not _is_url(args.source):
        raise ValueError(f"--source: expected wayback, commoncrawl or a CDX URL, "
                         f"got {args.source!r}")
    try:
        memento_prefix(args.source)
    except ValueError as exc:
        raise ValueError(f"--source: {exc}") from None
    return BackfillSpec(source=Source.WAYBACK, cdx_url=args.source, **common)


def run(args: argparse.Namespace) -> int:
    """Backfill and print the summary line; 0 done, 1 failed (one line why), 2 bad use or
    the data dir in use."""
    try:
        spec = build_spec(args)
    except ValueError as exc:
        fail("backfill", str(exc))
        return 2
    from rich.console import Console

    from flows.backfill import BackfillFailed, backfill
    from flows.lock import writer_lock
    from flows.runtime import flow_process

    try:
        data = settings.data_dir(args.data_dir).resolve()
        # the flow takes the lock too (re-entrant in this process); here it waits --wait
        # and refuses before Prefect starts
        with writer_lock(data, "backfill", wait=args.wait), flow_process(Console(stderr=True)):
            hide_run_tracebacks(args.verbose)
            totals = backfill(spec, batch_size=args.batch_size)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        if not isinstance(exc, BackfillFailed):
            return exit_for("backfill", exc, verbose=args.verbose)
        if exc.totals is not None:
            _report(exc.totals, args.json)
        fail("backfill", f"failed: {exc}")
        return 1
    _report(totals, args.json)
    return 0


def _report(totals: Any, as_json: bool) -> None:
    """The summary line (and what failed, by reason), or the totals as JSON."""
    if as_json:
        print(json.dumps(asdict(totals), indent=2))
        return
    print(f"backfill: {totals.line()}")
    extra = [f"{totals.already} settled before", f"{totals.skipped} skipped",
             f"{totals.parse_errors} parse errors"]
    if totals.held_back:
        extra.append(f"{totals.held_back} left for the next run (--max-captures)")
    print(f"  ({', '.join(extra)}; {totals.requests} requests, {totals.elapsed_s:.1f} s)")
    for reason, count in sorted(totals.failures.items()):
        print(f"  {reason}: {count}")
    for line in totals.examples[:5]:
        print(f"    {line}")
