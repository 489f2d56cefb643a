"""The nightly crawl as a scheduled Prefect deployment: its cron schedule, and serving it.

`verdicts schedule` (cli/schedule.py) parses the options and calls these; what needs
Prefect lives here, since only the flows import Prefect. Serving needs a Prefect server
that keeps running (its scheduler makes the runs): :func:`api_url` says whether one is
configured, :func:`api_problem` whether it answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect.client.schemas.schedules import CronSchedule
from prefect.schedules import Cron, Schedule

from flows.nightly import nightly_crawl
from flows.writer_limit import ensure_writer_limit

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


def api_url() -> str | None:
    """The Prefect API this process talks to (PREFECT_API_URL, from the environment or the
    active Prefect profile); None means a temporary server, which cannot schedule."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def api_problem(url: str, timeout: float = 10.0) -> str | None:
    """Why the Prefect API at `url` cannot be used, in one line; None when it answers."""
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return f"the Prefect API at {url} does not answer ({type(exc).__name__}: {exc})"
    return None


def serve_nightly(base_url: str, schedule: Schedule, *, name: str,
                  parameters: Mapping[str, Any]) -> None:
    """Create (or update) the deployment 'nightly-crawl/<name>' crawling `base_url` on
    `schedule`, and run its crawls in this process, one at a time, until interrupted.

    `parameters` are the other keyword arguments of :func:`flows.nightly.nightly_crawl`.
    The writer limit the crawl shares with the reparse deployment is made first
    (:mod:`flows.writer_limit`).
    """
    ensure_writer_limit()
    nightly_crawl.serve(
        name=name,
        schedules=[schedule],
        parameters={"base_url": base_url, **parameters},
        limit=1,  # never two crawls of the site at once
        description=f"Nightly crawl of {base_url} ({schedule.cron} {schedule.timezone})",
        tags=list(TAGS),
    )
