"""`verdicts schedule`: serve the nightly crawl as a scheduled Prefect deployment.

The options are parsed here; the schedule and the serving are flows.schedule's.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

from cli._exits import add_verbose
from cli._options import HelpFormatter, Subparsers, add_command, fail
from cli.crawl import add_crawl_options, crawl_kwargs, target_problem

DESCRIPTION = """\
Serve the nightly crawl: creates (or updates) the deployment 'nightly-crawl/<NAME>' with a
cron schedule and runs each scheduled crawl in this process, one at a time, until
interrupted (Ctrl-C pauses the schedule).

This needs a Prefect server that keeps running, so its scheduler can create the runs.
Without PREFECT_API_URL (in the environment or the Prefect profile) it refuses (exit 2)
and prints the commands to run:

  prefect server start                              # in another terminal, keep it running
  export PREFECT_API_URL=http://127.0.0.1:4200/api
  verdicts schedule ...

Every crawl and reparse on that server takes the one slot of the global concurrency
limit 'verdict-archive-writer' (made here if missing), so two never write at once. With
a work pool and workers instead, deploy with `prefect deploy --all` from the repository
(see prefect.yaml)."""

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
    add_verbose(p, "show Prefect's INFO logs (each run's progress)")
    p.set_defaults(func=run)
    return p


def crawl_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The nightly_crawl keyword arguments (but base_url) each scheduled run gets; the
    data directory made absolute, since the runs do not share this working directory."""
    params = crawl_kwargs(args)
    params["data_dir"] = os.path.abspath(params["data_dir"])
    return {**params, "task_runner": args.task_runner}


def _command_line() -> str:
    """This command as the user typed it (for the commands to run instead)."""
    argv = sys.argv[1:]
    if argv[:1] == ["schedule"]:
        return shlex.join(["verdicts", *argv])
    return "verdicts schedule ..."


def no_server_message() -> str:
    """Why `schedule` refuses without a Prefect server, and the exact commands to run."""
    return ("no Prefect server to schedule on (PREFECT_API_URL is not set); a temporary "
            "one cannot schedule runs. Start one and serve against it:\n"
            "  prefect server start                              "
            "# in another terminal, keep it running\n"
            "  export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
            f"  {_command_line()}")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted. 2 on bad options or without a Prefect server, 1 when the
    configured server does not answer."""
    problem = target_problem(args)
    if problem:
        fail("schedule", problem)
        return 2
    from flows.schedule import api_problem, api_url, build_schedule, serve_nightly

    try:
        schedule = build_schedule(args.cron, args.timezone)
    except ValueError as exc:
        fail("schedule", str(exc))
        return 2
    url = api_url()
    if url is None:
        fail("schedule", no_server_message())
        return 2
    problem = api_problem(url)
    if problem:
        fail("schedule", problem + " (is `prefect server start` running?)")
        return 1
    serve_nightly(args.base_url, schedule, name=args.name, parameters=crawl_parameters(args))
    return 0
