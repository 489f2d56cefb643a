"""`verdicts schedule`: serve the nightly crawl as a scheduled Prefect deployment.

The options are parsed here; the schedule and the serving are flows.schedule's.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from cli._options import HelpFormatter, Subparsers, add_command, fail
from cli.crawl import add_crawl_options, crawl_kwargs, target_problem

DESCRIPTION = """\
Serve the nightly crawl: creates (or updates) the deployment 'nightly-crawl/<NAME>' with a
cron schedule and runs each scheduled crawl in this process, one at a time, until
interrupted (Ctrl-C pauses the schedule).

This needs a Prefect API that keeps running, so the scheduler can create the runs:
start one with `prefect server start` and point PREFECT_API_URL at it
(e.g. http://127.0.0.1:4200/api). With a work pool and workers instead, deploy with
`prefect deploy --all` from the repository (see prefect.yaml)."""

EPILOG = """\
examples:
  verdicts schedule                                 # 03:00 UTC every night, live site
  verdicts schedule --cron "30 2 * * *" --timezone Europe/Paris
  verdicts schedule http://127.0.0.1:8000 --rate 20 --cron "*/10 * * * *"
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts schedule`."""
    p = add_command(
        subparsers, "schedule",
        help="serve the nightly crawl on a cron schedule (Prefect deployment)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
    )
    add_crawl_options(p)
    p.add_argument("--cron", default="0 3 * * *", help="when to crawl (cron syntax)")
    p.add_argument("--timezone", default="UTC", help="the cron's time zone (IANA name)")
    p.add_argument("--name", default="nightly", help="the deployment's name")
    p.set_defaults(func=run)
    return p


def crawl_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The nightly_crawl keyword arguments (but base_url) each scheduled run gets; the
    data directory made absolute, since the runs do not share this working directory."""
    params = crawl_kwargs(args)
    params["data_dir"] = os.path.abspath(params["data_dir"])
    return {**params, "task_runner": args.task_runner}


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted. 2 on bad options."""
    problem = target_problem(args)
    if problem:
        fail("schedule", problem)
        return 2
    from flows.schedule import build_schedule, serve_nightly

    try:
        schedule = build_schedule(args.cron, args.timezone)
    except ValueError as exc:
        fail("schedule", str(exc))
        return 2
    if not os.environ.get("PREFECT_API_URL"):
        fail("schedule", "PREFECT_API_URL is not set; scheduled runs need a Prefect "
             "server that keeps running (`prefect server start`).")
    serve_nightly(args.base_url, schedule, name=args.name, parameters=crawl_parameters(args))
    return 0
