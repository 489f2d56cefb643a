"""Tonight's fetch list: which discovered pages to request, and which to leave alone.

Incremental by sitemap <lastmod>: a page whose lastmod equals the one stored at its last
successful fetch is not requested, until that last verification (a 200 or a 304; its
run's observed_at) is `recheck_days` (K) days old: then it gets a conditional GET, to
catch a lastmod the site forgot to bump. There is no stagger: an unchanged night costs
nothing but discovery, and a cohort of pages verified together is rechecked together, on
the K-th night after (a 304 restarts its clock). Pages never fetched, failed last time,
without a lastmod, or with a new lastmod are requested (conditionally when validators are
known). A page that has just left the sitemap is requested once, to record whether it is
gone; one already off the sitemap is rechecked by the same age rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warehouse.crawl_state import UrlState

__all__ = ["Plan", "PlanItem", "make_plan", "recheck_due"]

#: Order in which reasons to fetch are served when max_pages cuts the list.
PRIORITY = ("retry", "new", "lastmod_changed", "reappeared", "no_lastmod", "left_sitemap",
            "recheck", "link")


@dataclass(frozen=True)
class PlanItem:
    """One page to request tonight, with what the last fetch left for it.

    `why` is one of PRIORITY. The prev_* fields name the capture holding the page now
    (what a revisit record refers to when the payload comes back identical).
    """

    url: str
    why: str
    etag: str | None = None
    last_modified: str | None = None
    sitemap_lastmod: datetime | None = None
    in_sitemap: bool = True
    prev_digest: str | None = None
    prev_capture_id: str | None = None
    prev_capture_url: str | None = None
    prev_capture_observed_at: datetime | None = None
    prev_capture_record_id: str | None = None


@dataclass
class Plan:
    """The pages to fetch (in priority order) and the rows of the pages that will not be."""

    fetch: list[PlanItem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many pages are planned for each reason, and rows by outcome."""
        out: dict[str, int] = {}
        for item in self.fetch:
            out[f"fetch:{item.why}"] = out.get(f"fetch:{item.why}", 0) + 1
        for row in self.rows:
            key = f"{row['outcome']}:{row.get('reason')}"
            out[key] = out.get(key, 0) + 1
        return out


#: Schedule jitter tolerated by the age rule: a nightly run that starts a few minutes
#: earlier than the one K nights before still counts as K days later.
RECHECK_SLACK = timedelta(hours=1)


def recheck_due(last_verified_at: datetime | None, observed_at: datetime,
                recheck_days: int) -> bool:
    """Is a page with an unchanged lastmod due for its conditional recheck tonight?

    Yes when its last successful fetch or 304 (`last_verified_at`, a run's observed_at)
    is at least `recheck_days` days before `observed_at` (less RECHECK_SLACK), or unknown.
    `recheck_days` below 1 counts as 1 (every night).
    """
    if last_verified_at is None:
        return True
    age = timedelta(days=max(1, recheck_days)) - RECHECK_SLACK
    return observed_at - last_verified_at >= age


def _item(url: str, why: str, state: UrlState | None, lastmod: datetime | None,
          in_sitemap: bool) -> PlanItem:
    if state is None:
        return PlanItem(url=url, why=why, sitemap_lastmod=lastmod, in_sitemap=in_sitemap)
    return PlanItem(
        url=url,
        why=why,
        etag=state.etag,
        last_modified=state.last_modified,
        sitemap_lastmod=lastmod,
        in_sitemap=in_sitemap,
        prev_digest=state.payload_digest,
        prev_capture_id=state.capture_id,
        prev_capture_url=state.capture_url,
        prev_capture_observed_at=state.capture_observed_at,
        prev_capture_record_id=state.capture_record_id,
    )


def make_plan(
    pages: Mapping[str, datetime | None],
    states: Mapping[str, UrlState],
    *,
    run_id: str,
    observed_at: datetime,
    recheck_days: int = 7,
    done: Iterable[str] = (),
    max_pages: int | None = None,
    allowed: Callable[[str], bool] = lambda url: True,
    other: Iterable[str] = (),
    sitemap_mode: bool = True,
) -> Plan:
    """Decide tonight's fetches.

    `pages`: discovered comparison URLs and their sitemap lastmod; `states`: what the
    warehouse knows per URL (:func:`warehouse.crawl_state.url_states`); `done`: URLs that
    already have a row in this run (a resumed run skips them); `allowed`: robots.txt;
    `other`: discovered URLs out of scope. In links mode (`sitemap_mode` False) every
    known page is requested (conditionally): there is no lastmod to go by.
    """
    done = set(done)
    plan = Plan()
    wanted: list[PlanItem] = []

    def row(url: str, outcome: str, reason: str | None, lastmod: datetime | None,
            in_sitemap: bool) -> None:
        plan.rows.append({"run_id": run_id, "url": url, "kind": "page", "outcome": outcome,
                          "reason": reason, "sitemap_lastmod": lastmod, "in_sitemap": in_sitemap})

    for url in other:
        if url not in done:
            row(url, "out_of_scope", "not_a_comparison_page", None, True)
            done.add(url)

    for url, lastmod in pages.items():
        if url in done:
            continue
        if not allowed(url):
            row(url, "disallowed", "robots", lastmod, True)
            continue
        state = states.get(url)
        succeeded = state is not None and state.last_success_at is not None
        if state is None or state.last_outcome is None:
            why = "new"
        elif state.last_outcome == "failed":
            why = "retry"
        elif state.last_outcome in ("gone", "disallowed", "out_of_scope"):
            why = "reappeared"
        elif not succeeded:
            why = "new"
        elif not sitemap_mode or lastmod is None:
            why = "no_lastmod"
        elif state.sitemap_lastmod is None or lastmod != state.sitemap_lastmod:
            why = "lastmod_changed"
        elif recheck_due(state.last_success_at, observed_at, recheck_days):
            why = "recheck"
        else:
            row(url, "skipped", "unchanged", lastmod, True)
            continue
        wanted.append(_item(url, why, state, lastmod, True))

    # Pages known from earlier runs that discovery did not list tonight.
    for url, state in states.items():
        if url in pages or url in done:
            continue
        if state.last_outcome in (None, "gone", "disallowed", "out_of_scope"):
            continue
        if not allowed(url):
            row(url, "disallowed", "robots", None, False)
            continue
        if not sitemap_mode:
            wanted.append(_item(url, "no_lastmod", state, None, True))
            continue
        if state.last_in_sitemap:
            wanted.append(_item(url, "left_sitemap", state, None, False))
        elif state.last_outcome == "failed" or recheck_due(state.last_success_at, observed_at,
                                                             recheck_days):
            wanted.append(_item(url, "recheck", state, None, False))

    rank = {why: i for i, why in enumerate(PRIORITY)}
    wanted.sort(key=lambda item: rank.get(item.why, len(rank)))
    if max_pages is not None and len(wanted) > max_pages:
        for item in wanted[max_pages:]:
            row(item.url, "skipped", "max_pages", item.sitemap_lastmod, item.in_sitemap)
        wanted = wanted[:max_pages]
    plan.fetch = wanted
    return plan
