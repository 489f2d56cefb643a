"""`verdicts demo`: the main job on the local replica — 14 simulated nights of nightly_crawl,
after a backfill of the 30 days before the first night from a local wayback.

It starts the replica on loopback. The replica's first `--backfill-days` days are its
past: written as a pywb collection (``replica.build_collection``, dated before night 1),
served by a real local pywb and loaded by the real `backfill` flow through its CDX API.
Then, for each night, it moves the replica one day on and runs the real Prefect flow
`nightly_crawl` stamped with that night's `observed_at`. Finally it prints what the
archive holds, how far its history reaches back, and one trend question's answer.
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cli._exits import add_verbose
from cli._options import HelpFormatter, Subparsers, add_command, add_data_dir, fail
from flows import settings

#: The first simulated night (03:00 UTC, the schedule's default hour).
FIRST_NIGHT = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
#: Marks a data directory the demo made, so a re-run may start it afresh.
DEMO_MARKER = ".verdicts-demo"
#: The replica's fixed loopback port: every demo records its pages under the same base
#: URL, http://127.0.0.1:8734, so two demos' warehouses name the same pages alike.
DEMO_PORT = 8734
#: Days of the replica's past the demo backfills from a local wayback before night 1.
BACKFILL_DAYS = 30
#: The local wayback captures a page on about one day in this many (a public archive's
#: sparse coverage; also keeps the backfill to a few hundred polite requests).
BACKFILL_EVERY = 15

DESCRIPTION = """\
Start the local replica of shiporskip.io on loopback, backfill the 30 days before the first
night from a local wayback (a real pywb over the replica's past, through `verdicts
backfill`'s flow), then run the real nightly crawl flow against the replica once per
simulated night, each night with its own observed_at. Leaves
DATA_DIR/verdicts.duckdb and DATA_DIR/archive/*.warc.gz, and prints a summary and one
trend query. A data directory made by an earlier demo is started afresh; any other
non-empty one is refused.

The replica listens on http://127.0.0.1:PORT (default 8734), so every demo records the
same page URLs. Prefect's run logs are off unless -v."""


def add_parser(sub: Subparsers) -> None:
    """Register `verdicts demo`."""
    p = add_command(
        sub, "demo",
        help="crawl the local replica for 14 simulated nights (the main job, on loopback)",
        description=DESCRIPTION, formatter_class=HelpFormatter,
    )
    add_data_dir(p, "where the warehouse and WARCs go")
    p.add_argument("--nights", type=int, default=14, help="simulated nights to crawl")
    p.add_argument("--seed", type=int, default=1, help="the replica's catalog seed")
    p.add_argument("--rate", type=float, default=100.0,
                   help="requests per second to the replica (the live default is 1/s)")
    p.add_argument("--concurrency", type=int, default=4, help="parallel requests")
    p.add_argument("--backfill-days", type=int, default=BACKFILL_DAYS, metavar="N",
                   help="days before night 1 to backfill from a local wayback (0: none; "
                        "needs pywb: `make wayback`)")
    p.add_argument("--port", type=int, default=DEMO_PORT,
                   help="the replica's loopback port (part of every recorded page URL)")
    add_verbose(p, "show Prefect's run logs (and a traceback if a night fails)")
    p.set_defaults(func=run)


def _prepare(data: Path) -> str | None:
    """Start `data` afresh if an earlier demo made it; refuse someone else's warehouse."""
    if (data / DEMO_MARKER).exists():
        shutil.rmtree(data)
    elif data.exists() and any(data.iterdir()):
        return (f"{data} already holds data that the demo did not make; "
                "pass --data-dir to use another directory")
    data.mkdir(parents=True, exist_ok=True)
    (data / DEMO_MARKER).write_text("made by `verdicts demo`; it may delete this folder\n")
    return None


def _check(args: argparse.Namespace, data: Path) -> str | None:
    """Why the demo cannot run with these options, else None (the data dir prepared)."""
    if args.nights < 1:
        return "--nights must be at least 1"
    if args.backfill_days < 0:
        return "--backfill-days must be >= 0"
    if not 0 < args.port < 65536:
        return f"--port must be 1-65535, got {args.port}"
    return _prepare(data)


def _start_replica(args: argparse.Namespace) -> Any:
    """The replica, listening on 127.0.0.1:PORT; None after one line when it cannot."""
    from replica import Replica

    site = Replica(day=args.backfill_days, seed=args.seed, crawl_delay=None, port=args.port)
    try:
        return site.start()
    except OSError as exc:
        fail("demo", f"cannot serve the replica on 127.0.0.1:{args.port} ({exc.strerror}); "
             "pass --port to use another port")
        return None


def run(args: argparse.Namespace) -> int:
    """Run the demo; 0 when every night finished, 1 when one failed, 2 on bad use."""
    data = settings.data_dir(args.data_dir)
    problem = _check(args, data)
    if problem:
        fail("demo", problem)
        return 2
    site = _start_replica(args)
    if site is None:
        return 2
    from cli._exits import exit_for

    started = time.perf_counter()
    try:
        summaries = _nights(args, site, data)
    except Exception as exc:  # noqa: BLE001 - one line (a traceback only with -v)
        return exit_for("demo", exc, verbose=args.verbose)
    finally:
        site.stop()
    _report(data, summaries, time.perf_counter() - started, bool(args.backfill_days))
    return 0 if all(s["status"] == "finished" for s in summaries) else 1


def _nights(args: argparse.Namespace, site: Any, data: Path) -> list[dict[str, Any]]:
    """Crawl `site` once per simulated night with the real flow; the nights' summaries."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cli._exits import hide_run_tracebacks
    from flows.nightly import nightly_crawl
    from flows.progress import set_progress_hook
    from flows.runtime import flow_process

    hide_run_tracebacks(args.verbose)
    console = Console(stderr=True)
    summaries: list[dict[str, Any]] = []
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress, flow_process(console):
        console.print(f"replica of shiporskip.io serving on {site.base_url}")
        nights = progress.add_task("nights", total=args.nights)
        pages = progress.add_task("pages", total=None)

        def hook(stage: str, done: int, total: int) -> None:
            progress.update(pages, description=stage, completed=done, total=total or None)

        set_progress_hook(hook)
        try:
            if args.backfill_days:
                console.print(_backfill(args, site, data), soft_wrap=True)
            for night in range(args.nights):
                site.set_day(args.backfill_days + night)
                observed_at = FIRST_NIGHT + timedelta(days=night)
                progress.update(nights, description=f"night {night + 1} ({observed_at:%b %d})")
                summary = nightly_crawl(
                    site.base_url, data_dir=str(data), observed_at=observed_at,
                    rate=args.rate, concurrency=args.concurrency,
                )
                summaries.append(summary)
                console.print(_night_line(night, observed_at, summary["counts"]),
                              soft_wrap=True)
                progress.advance(nights)
        finally:
            set_progress_hook(None)
    return summaries


def _backfill(args: argparse.Namespace, site: Any, data: Path) -> str:
    """The replica's first `--backfill-days` days as a local wayback (real pywb), backfilled
    through its CDX API by the real `backfill` flow; the run's summary line."""
    import tempfile

    from backfill import BackfillSpec, Politeness
    from flows.backfill import backfill
    from replica import LocalWayback, build_collection

    days = args.backfill_days
    first = FIRST_NIGHT - timedelta(days=days)

    def stamp(day: int) -> datetime:  # captured around noon, each day before night 1
        return first + timedelta(days=day, hours=9)

    with tempfile.TemporaryDirectory(prefix="verdicts-wayback-") as root:
        build_collection(Path(root), base_url=site.base_url, days=range(days), stamp=stamp,
                         seed=args.seed, every=BACKFILL_EVERY)
        with LocalWayback(Path(root)) as wayback:
            spec = BackfillSpec(data_dir=str(data.resolve()), site=site.base_url,
                                cdx_url=wayback.cdx_url, politeness=Politeness(rate=args.rate))
            totals = backfill(spec, batch_size=100)
    return (f"backfill {first:%Y-%m-%d} – {FIRST_NIGHT - timedelta(days=1):%Y-%m-%d} from a "
            f"local wayback: {totals.line()}")


def _night_line(night: int, observed_at: datetime, c: dict[str, Any]) -> str:
    return (f"night {night + 1:>2} {observed_at:%Y-%m-%d}: {c['requests']:>4} requests, "
            f"{c['fetched']:>3} fetched, {c['not_modified']:>3} not modified, "
            f"{c['new_pages']:>3} new, {c['changed']:>2} changed, {c['gone']:>2} gone, "
            f"{c['failed']} failed")


def _report(data: Path, summaries: list[dict[str, Any]], elapsed: float,
            backfilled: bool = False) -> None:
    """Print what the archive holds, how far back its history reaches (with a backfill),
    and one trend query's answer."""
    from warehouse import analytics
    from warehouse.snapshot import open_readonly

    con = open_readonly(data)
    try:
        totals = analytics.archive_totals(con)
        changes = analytics.verdict_changes(con)
        rates = analytics.ship_rate_by_vendor(con, freq="W")
        history = analytics.tool_history(con) if backfilled else None
    finally:
        con.close()

    warcs = sorted((data / settings.ARCHIVE_DIRNAME).glob("*.warc.gz"))
    archive_bytes = sum(p.stat().st_size for p in warcs)
    requests = sum(s["counts"]["requests"] for s in summaries)
    panel = int((changes["kind"] == "panel").sum()) if len(changes) else 0
    print()
    print(f"Crawled {len(summaries)} nights in {elapsed:.0f} s ({requests} requests).")
    print(f"  pages:     {totals['pages']} comparison pages, {totals['tools']} tools "
          f"({totals['tools_with_vendor']} of {totals['tools_listed']} with a vendor)")
    print(f"  captures:  {totals['captures']} "
          f"({totals['failed']} failed to parse, kept with their reason)")
    print(f"  changes:   {len(changes)} verdict/score changes found "
          f"({panel} panel, {len(changes) - panel} critic reviews)")
    if history is not None:
        print(_history_line(history, changes))
    print(f"  warehouse: {settings.db_path(data)}")
    print(f"  archive:   {len(warcs)} WARC files, {archive_bytes / 1e6:.1f} MB in "
          f"{settings.archive_dir(data)}/")
    print()
    print("Trend query — ship rate by vendor, first week vs last week "
          "(SELECT * FROM ship_rate_by_vendor WHERE granularity = 'week'):")
    _print_ship_rates(rates)
    print()
    print(f"Explore: verdicts sql \"SELECT * FROM verdict_changes LIMIT 10\" "
          f"--data-dir {data}")


def _history_line(history: Any, changes: Any) -> str:
    """How far the history reaches back before the first crawl (the backfilled part)."""
    if not len(history):
        return "  history:   nothing loaded"
    early = history[history["valid_from"] < FIRST_NIGHT]
    seen = int((changes["observed_at"] < FIRST_NIGHT).sum()) if len(changes) else 0
    return (f"  history:   from {history['valid_from'].min():%Y-%m-%d}, before the first crawl "
            f"({FIRST_NIGHT:%Y-%m-%d}): {early['url'].nunique()} pages known earlier, "
            f"{seen} changes seen in the backfill")


def _print_ship_rates(rates: Any) -> None:
    """The vendors whose weekly ship rate moved most between the first and last week."""
    known = rates[rates["vendor"].notna()]
    if known.empty:
        print("  (no vendor figures yet)")
        return
    weeks = sorted(known["period_start"].unique())
    first, last = weeks[0], weeks[-1]
    a = known[known["period_start"] == first].set_index("vendor")
    b = known[known["period_start"] == last].set_index("vendor")
    joined = b.join(a, rsuffix="_first", how="left")
    joined["move"] = joined["ship_rate"] - joined["ship_rate_first"].fillna(joined["ship_rate"])
    joined = joined.reindex(joined["move"].abs().sort_values(ascending=False).index)
    print(f"  {'vendor':<20} {'week of ' + str(first)[:10]:>20} {'week of ' + str(last)[:10]:>20}")
    for vendor, row in joined.head(8).iterrows():
        before = row["ship_rate_first"]
        before_txt = "—" if before != before else f"{before:.0%} of {int(row['tools_first'])} tools"
        after_txt = f"{row['ship_rate']:.0%} of {int(row['tools'])} tools"
        print(f"  {vendor:<20} {before_txt:>20} {after_txt:>20}")
