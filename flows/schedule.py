"""The nightly crawl as a scheduled Prefect deployment: its cron schedule, and serving it.

`verdicts schedule` (cli/schedule.py) parses the options and calls these; what needs
Prefect lives here, since only the flows import Prefect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect.client.schemas.schedules import CronSchedule
from prefect.schedules import Cron, Schedule

from flows.nightly import nightly_crawl

#: The tags of the nightly deployment.
TAGS = ("verdict-archive", "crawl")


def build_schedule(cron: str, timezone: str) -> Schedule:
    """The cron schedule of the nightly crawl, in the IANA time zone `timezone`.

    Raises ValueError, with a one-line reason, for an unknown time zone or a bad cron.
    """
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {timezone!r} (use an IANA name, e.g. UTC)") from None
    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError as exc:  # pydantic's ValidationError says what is wrong
        raise ValueError(f"invalid cron {cron!r}: {exc}") from None
    return Cron(cron, timezone=timezone)


def serve_nightly(base_url: str, schedule: Schedule, *, name: str,
                  parameters: Mapping[str, Any]) -> None:
    """Create (or update) the deployment 'nightly-crawl/<name>' crawling `base_url` on
    `schedule`, and run its crawls in this process, one at a time, until interrupted.

    `parameters` are the other keyword arguments of :func:`flows.nightly.nightly_crawl`.
    """
    nightly_crawl.serve(
        name=name,
        schedules=[schedule],
        parameters={"base_url": base_url, **parameters},
        limit=1,  # never two crawls of the site at once
        description=f"Nightly crawl of {base_url} ({schedule.cron} {schedule.timezone})",
        tags=list(TAGS),
    )
