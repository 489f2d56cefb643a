"""`verdicts crawl`: crawl the site once, now, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from cli._exits import add_verbose, add_wait, exit_for, hide_run_tracebacks
from cli._options import (
    HelpFormatter,
    Subparsers,
    add_command,
    add_data_dir,
    add_observed_at,
    fail,
    positive_int,
)
from crawler import LIVE_BASE_URL, LIVE_RATE_PER_SECOND, Recheck, unsafe_options_problem
from flows import settings

DESCRIPTION = """\
Crawl the site once now: robots.txt and sitemaps, then every comparison page that is new,
changed (by sitemap <lastmod>), failed last time, or due for its weekly conditional
recheck. Raw responses go to a WARC under DATA_DIR/archive before anything parses them;
outcomes, captures and parsed verdicts go to the warehouse. A crawl killed midway is
resumed by the next `verdicts crawl` with the same --observed-at (or, without it, within
20 hours): pages already done are not fetched again.

Runs as a Prefect flow (ephemeral mode when no Prefect server is configured) and
publishes a markdown summary artifact.

Exit status: 0 the night did its job (some URLs may have failed: they are listed and
retried next run); 1 it did not, with one line saying why: the site unreachable, nothing
fetched while pages were due, more than 20% of due pages failed, the share of pages that
parse halved since the last night, the snapshot not published, or an error such as
"No space left on device" (the run is recorded 'failed' with that line); 2 bad use, or
another crawl/import/reparse holds the data dir (see --wait)."""

EPILOG = """\
examples:
  verdicts crawl                                   # the live site, 1 request/s
  verdicts crawl http://127.0.0.1:8000 --rate 20 --concurrency 4
  verdicts crawl http://127.0.0.1:8000 --observed-at 2025-06-03T03:00Z
  verdicts crawl http://127.0.0.1:8000 --task-runner dask --no-robots
"""


def _rate(value: str) -> float:
    r = float(value)
    if r < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return r


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    """The options `crawl` and `schedule` share."""
    p.add_argument("base_url", nargs="?", default=LIVE_BASE_URL, metavar="BASE_URL",
                   help="the site to crawl")
    add_data_dir(p)
    p.add_argument("--rate", type=_rate, default=LIVE_RATE_PER_SECOND,
                   help="requests per second to the host (robots.txt Crawl-delay wins if "
                        "slower; 0 = unlimited, loopback benchmarks only)")
    p.add_argument("--concurrency", type=positive_int, default=2,
                   help="requests in flight to the host")
    p.add_argument("--max-pages", type=positive_int, metavar="N",
                   help="fetch at most N pages this run (default: no limit)")
    p.add_argument("--recheck-days", type=positive_int, default=7, metavar="K",
                   help="conditional GET of pages with an unchanged lastmod every K days")
    p.add_argument("--recheck", choices=[m.value for m in Recheck], default=Recheck.SPREAD.value,
                   help="spread: each page on its own night of every K, the same share of "
                        "the site every night; cohort: K days after its last verification, "
                        "so pages fetched together are rechecked together")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
                   help="URLs per fetch/parse task (default: about a minute of requests at "
                        "the crawl's pace, 100 to 1000)")
    p.add_argument("--no-robots", action="store_true",
                   help="ignore robots.txt rules and Crawl-delay (refused unless BASE_URL is a "
                        "loopback/private test server)")
    p.add_argument("--task-runner", choices=("thread", "dask"), default="thread",
                   help="run fetch and parse batches in threads, or on a Dask LocalCluster")


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts crawl`."""
    p = add_command(
        subparsers, "crawl", help="crawl the site once now (polite, incremental, resumable)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
    )
    add_crawl_options(p)
    add_observed_at(p, "stamp this run's captures with TIME, a simulated night (ISO 8601, "
                       "UTC if no offset; default: the fetch time); a night is one run: "
                       "crawling the same TIME again resumes it")
    p.add_argument("--no-prefect", action="store_true",
                   help="run the same pipeline without Prefect (plain threads)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_wait(p)
    add_verbose(p)
    p.set_defaults(func=run)
    return p


def target_problem(args: argparse.Namespace) -> str | None:
    """Why BASE_URL may not be crawled with these options, else None: a bad URL, or
    --no-robots or --rate 0 for a site that is not a loopback/private test server (the
    crawler's one rule, :func:`crawler.unsafe_options_problem`)."""
    try:
        return unsafe_options_problem(args.base_url, obey_robots=not args.no_robots, rate=args.rate)
    except ValueError as exc:
        return str(exc)


def crawl_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The nightly_crawl keyword arguments from parsed options."""
    return {
        "data_dir": str(settings.data_dir(args.data_dir)),
        "rate": args.rate,
        "concurrency": args.concurrency,
        "max_pages": args.max_pages,
        "recheck_days": args.recheck_days,
        "recheck": Recheck(args.recheck),
        "obey_robots": not args.no_robots,
        "batch_size": args.batch_size,
    }


def run(args: argparse.Namespace) -> int:
    """Run one crawl and print its summary; 0 when the night did its job, 1 when it did
    not (one line says why), 2 on bad use or when another writer holds the data dir."""
    problem = target_problem(args)
    if problem:
        fail("crawl", problem)
        return 2
    from flows.health import RunFailed
    from flows.lock import writer_lock
    from flows.progress import set_progress_hook

    kwargs = crawl_kwargs(args)
    kwargs["observed_at"] = args.observed_at
    progress, hook = _progress_bar(args)
    set_progress_hook(hook)
    try:
        # the flow takes the lock too (re-entrant in this process); taking it here first
        # waits for --wait and refuses before Prefect starts
        data = settings.data_dir(args.data_dir).resolve()
        with writer_lock(data, "crawl", wait=args.wait), progress:
            summary = _crawl(args, kwargs, progress.console)
    except ValueError as exc:
        fail("crawl", str(exc))
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        if isinstance(exc, RunFailed) and exc.summary is not None and args.json:
            _print_json(exc.summary)
        return exit_for("crawl", exc, verbose=args.verbose)
    finally:
        set_progress_hook(None)
    if args.json:
        _print_json(summary)
    else:
        print_summary(summary)
    return 0


def _crawl(args: argparse.Namespace, kwargs: dict[str, Any], console: Any) -> dict[str, Any]:
    """The crawl itself: the Prefect flow (its logs through the progress bar's console),
    or the same pipeline in plain threads."""
    if args.no_prefect:
        from flows.pipeline import crawl

        return crawl(args.base_url, **kwargs)
    from flows.nightly import nightly_crawl
    from flows.runtime import flow_process

    hide_run_tracebacks(args.verbose)
    with flow_process(console):
        result: dict[str, Any] = nightly_crawl(args.base_url, task_runner=args.task_runner,
                                               **kwargs)
    return result


def _print_json(summary: dict[str, Any]) -> None:
    print(json.dumps({k: v for k, v in summary.items() if k != "markdown"}, indent=2))


def _progress_bar(args: argparse.Namespace) -> tuple[Any, Callable[[str, int, int], None]]:
    """A rich progress bar on stderr (off with --json or off a terminal) and its hook."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                        transient=True, disable=args.json or not console.is_terminal)
    bar = progress.add_task("discovering", total=None)

    def hook(stage: str, done: int, total: int) -> None:
        if stage == "plan":
            progress.update(bar, description="fetching", total=total, completed=0)
        elif stage == "fetch-page":
            progress.advance(bar)
        elif stage in ("fetch", "done"):
            progress.update(bar, total=max(total, done), completed=done)

    return progress, hook


def print_summary(summary: dict[str, Any]) -> None:
    """The run's figures as rich tables on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    c = summary["counts"]
    console.print(f"[bold]crawl {summary['run_id']}[/] of {summary['base_url']} "
                  f"(night {summary['observed_at']}, {summary['discovery']} discovery, "
                  f"{summary['elapsed_s']:.1f} s, {c['requests']} requests, "
                  f"{c['bytes_received']:,} bytes)")
    table = Table(show_header=True, header_style="bold")
    table.add_column("pages")
    table.add_column("count", justify="right")
    table.add_column("what it means")
    names = [
        ("fetched", "fetched", "a 200 with the page"),
        ("new_pages", "  new", "first capture of the page"),
        ("changed", "  changed", "new payload: a new capture"),
        ("unchanged", "  unchanged", "same payload digest: revisit record, no capture"),
        ("not_modified", "304", "conditional GET: not modified"),
        ("gone", "gone", "404 / 410"),
        ("failed", "failed", "see the reasons below; retried next run"),
        ("disallowed", "disallowed", "robots.txt: never requested"),
        ("skipped", "skipped", "same lastmod, recheck not due (or --max-pages)"),
        ("out_of_scope", "out of scope", "not a comparison page: never requested"),
    ]
    for key, label, meaning in names:
        table.add_row(label, str(c[key]), meaning)
    console.print(table)
    if summary["failures"]:
        failed = Table(title="failed (retried next run)", show_header=True)
        failed.add_column("kind")
        failed.add_column("reason")
        failed.add_column("count", justify="right")
        for f in summary["failures"]:
            failed.add_row(f["kind"], f["reason"], str(f["count"]))
        console.print(failed)
    changes = summary["verdict_changes"]
    if changes:
        t = Table(title=f"verdicts that changed tonight ({len(changes)})", show_header=True)
        for col in ("page", "tool", "what", "field", "before", "after"):
            t.add_column(col)
        for ch in changes[:30]:
            t.add_row(ch["url"].rsplit("/", 1)[-1], str(ch["tool_slug"]),
                      f"{ch['what']}: {ch['subject']}", ch["field"], str(ch["old_value"]),
                      str(ch["new_value"]))
        console.print(t)
