"""`verdicts schedule`: serve the nightly crawl as a scheduled Prefect deployment."""

from __future__ import annotations

import argparse
import os
from typing import Any

from cli._options import HelpFormatter, add_command, fail
from cli.crawl import add_crawl_options, check_robots_flag, crawl_kwargs

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


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
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


def schedule_spec(args: argparse.Namespace) -> dict[str, Any]:
    """The arguments of nightly_crawl.serve(): name, schedule, parameters, limit.

    Validates the cron string and the time zone (ValueError with a clear message).
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from prefect.client.schemas.schedules import CronSchedule
    from prefect.schedules import Cron

    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {args.timezone!r} (use an IANA name, e.g. UTC)") from None
    try:
        CronSchedule(cron=args.cron, timezone=args.timezone)
    except Exception as exc:  # pydantic ValidationError
        raise ValueError(f"invalid cron {args.cron!r}: {exc}") from None
    params = crawl_kwargs(args)
    params["data_dir"] = os.path.abspath(params["data_dir"])
    params = {"base_url": args.base_url, **params, "task_runner": args.task_runner}
    return {
        "name": args.name,
        "schedules": [Cron(args.cron, timezone=args.timezone)],
        "parameters": params,
        "limit": 1,  # never two crawls of the site at once
        "description": f"Nightly crawl of {args.base_url} ({args.cron} {args.timezone})",
        "tags": ["verdict-archive", "crawl"],
    }


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted. 2 on bad options."""
    problem = check_robots_flag(args)
    if problem:
        fail("schedule", problem)
        return 2
    try:
        spec = schedule_spec(args)
    except ValueError as exc:
        fail("schedule", str(exc))
        return 2
    from flows.crawl import nightly_crawl

    if not os.environ.get("PREFECT_API_URL"):
        fail("schedule", "PREFECT_API_URL is not set; scheduled runs need a Prefect "
             "server that keeps running (`prefect server start`).")
    nightly_crawl.serve(**spec)
    return 0
