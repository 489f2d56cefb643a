"""Tonight's fetch list: which discovered pages to request, and which to leave alone.

Incremental by sitemap <lastmod>: a page whose lastmod equals the one stored at its last
successful fetch is not requested, until that last verification (a 200 or a 304; its
run's observed_at) is due again: then it gets a conditional GET, to catch a lastmod the
site forgot to bump. How rechecks are spread over nights is the :class:`Recheck` mode:
``spread`` (the default) rechecks each page on its own night of every K (`recheck_days`),
picked by a hash of its URL, so every night rechecks about 1/K of the site and a year of
nights costs the same each night; ``cohort`` rechecks a page once its last verification is
K days old, so an unchanged night costs nothing but discovery and a cohort of pages
verified together is rechecked together on the K-th night after (a 304 restarts its
clock). Either way no page goes more than K days unverified. Pages never fetched, failed
last time, without a lastmod, or with a new lastmod are requested (conditionally when
validators are known). A page that has just left the sitemap is requested once, to record
whether it is gone; one already off the sitemap is rechecked by the same rule.

A page a run did not request (skipped: max_pages, or host_down when the site stopped
answering) leaves its history as it was: the warehouse reads the last outcome other than
skipped, so the page is due again the next night for the same reason; such a row says
nothing about the sitemap either (`last_in_sitemap` stays what the last run that looked
at the page found).

Every page left alone gets a row in :attr:`Plan.rows`. The warehouse stores those of the
pages skipped as unchanged (most pages, most nights) as no row at all: it counts them per
run and notes in each page's state that the run found it in the sitemap
(`warehouse.crawl_state.record_fetches`), so a quiet night costs no row per page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from crawler._models import FetchKind, FetchRow, Outcome, Reason, Why

__all__ = ["PRIORITY", "Plan", "PlanItem", "Recheck", "UrlHistory", "make_plan", "recheck_due",
           "recheck_slot"]


class Recheck(StrEnum):
    """How the conditional rechecks of unchanged pages are spread over nights."""

    SPREAD = "spread"  # each page on its own night of every K: the same share every night
    COHORT = "cohort"  # each page K days after its last verification: weekly bursts

#: Order in which reasons to fetch are served when max_pages cuts the list.
PRIORITY: tuple[Why, ...] = tuple(Why)

#: Last outcomes after which a page listed again counts as having reappeared.
_ABSENT = (Outcome.GONE, Outcome.DISALLOWED, Outcome.OUT_OF_SCOPE)


class UrlHistory(Protocol):
    """What the warehouse knows about a page before tonight's plan (the attributes of
    `warehouse.crawl_state.UrlState` the plan reads; the crawler does not import it)."""

    @property
    def last_outcome(self) -> str | None: ...
    @property
    def last_in_sitemap(self) -> bool | None: ...
    @property
    def last_success_at(self) -> datetime | None: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def sitemap_lastmod(self) -> datetime | None: ...
    @property
    def payload_digest(self) -> str | None: ...
    @property
    def capture_id(self) -> str | None: ...
    @property
    def capture_url(self) -> str | None: ...
    @property
    def capture_observed_at(self) -> datetime | None: ...
    @property
    def capture_record_id(self) -> str | None: ...


@dataclass(frozen=True)
class PlanItem:
    """One page to request tonight, with what the last fetch left for it.

    The prev_* fields name the capture holding the page now (what a revisit record refers
    to when the payload comes back identical).
    """

    url: str
    why: Why
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
    """The pages to fetch (in priority order), the rows of the pages that will not be, and
    the discovered URLs already recorded out of scope by an earlier run (no row again: a
    tool page listed every night would cost a row a night; the warehouse counts them)."""

    fetch: list[PlanItem] = field(default_factory=list)
    rows: list[FetchRow] = field(default_factory=list)
    known_out_of_scope: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many pages are planned for each reason, and rows by outcome."""
        out: dict[str, int] = {}
        for item in self.fetch:
            out[f"fetch:{item.why}"] = out.get(f"fetch:{item.why}", 0) + 1
        for row in self.rows:
            key = f"{row.outcome}:{row.reason}"
            out[key] = out.get(key, 0) + 1
        if self.known_out_of_scope:
            out["out_of_scope:known"] = len(self.known_out_of_scope)
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


def recheck_slot(url: str, recheck_days: int) -> int:
    """The night, modulo K, on which a page's spread recheck falls: a stable hash of its
    URL (the same on every machine and run, unlike Python's `hash`)."""
    digest = hashlib.blake2b(url.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % max(1, recheck_days)


def night_number(observed_at: datetime) -> int:
    """The night a run belongs to, counted in days (its observed_at's date, shifted by
    RECHECK_SLACK so that a run starting a little before midnight counts as the next)."""
    return (observed_at + RECHECK_SLACK).date().toordinal()


def _item(url: str, why: Why, state: UrlHistory | None, lastmod: datetime | None,
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


@dataclass(frozen=True)
class _Night:
    """What every decision of one plan shares."""

    run_id: str
    observed_at: datetime
    recheck_days: int
    sitemap_mode: bool
    recheck: Recheck = Recheck.SPREAD

    def row(self, url: str, outcome: Outcome, reason: Reason, lastmod: datetime | None,
            in_sitemap: bool) -> FetchRow:
        """The row of a page that will not be requested tonight."""
        return FetchRow(run_id=self.run_id, url=url, kind=FetchKind.PAGE, outcome=outcome,
                        reason=reason, sitemap_lastmod=lastmod, in_sitemap=in_sitemap)

    def due(self, url: str, state: UrlHistory) -> bool:
        """Is the page's conditional recheck due tonight? Always once its last verification
        is K days old (a night missed); in spread mode also on its own night of every K,
        unless it was verified less than a day ago."""
        if recheck_due(state.last_success_at, self.observed_at, self.recheck_days):
            return True
        if self.recheck is Recheck.COHORT or self.recheck_days <= 1:
            return False
        if not recheck_due(state.last_success_at, self.observed_at, 1):
            return False
        slot = recheck_slot(url, self.recheck_days)
        return night_number(self.observed_at) % self.recheck_days == slot


def _why_listed(night: _Night, url: str, state: UrlHistory | None,
                lastmod: datetime | None) -> Why | None:
    """Why to request a page discovery listed tonight; None: unchanged, leave it."""
    if state is None or state.last_outcome is None:
        return Why.NEW
    if state.last_outcome == Outcome.FAILED:
        return Why.RETRY
    if state.last_outcome in _ABSENT:
        return Why.REAPPEARED
    if state.last_success_at is None:
        return Why.NEW
    if not night.sitemap_mode or lastmod is None:
        return Why.NO_LASTMOD
    if state.sitemap_lastmod is None or lastmod != state.sitemap_lastmod:
        return Why.LASTMOD_CHANGED
    if night.due(url, state):
        return Why.RECHECK
    return None


def make_plan(
    pages: Mapping[str, datetime | None],
    states: Mapping[str, UrlHistory],
    *,
    run_id: str,
    observed_at: datetime,
    recheck_days: int = 7,
    done: Iterable[str] = (),
    max_pages: int | None = None,
    allowed: Callable[[str], bool] = lambda url: True,
    other: Iterable[str] = (),
    sitemap_mode: bool = True,
    recheck: Recheck = Recheck.SPREAD,
) -> Plan:
    """Decide tonight's fetches.

    `pages`: discovered comparison URLs and their sitemap lastmod; `states`: what the
    warehouse knows per URL (`warehouse.crawl_state.url_states`); `done`: URLs that
    already have a row in this run (a resumed run skips them); `allowed`: robots.txt;
    `other`: discovered URLs out of scope (a row the first time, then only counted:
    :attr:`Plan.known_out_of_scope`). In links mode (`sitemap_mode` False) every
    known page is requested (conditionally): there is no lastmod to go by. `recheck`: how
    rechecks of unchanged pages are spread over nights (:class:`Recheck`).
    """
    night = _Night(run_id, observed_at, recheck_days, sitemap_mode, Recheck(recheck))
    seen = set(done)
    plan = Plan()
    for url in other:
        if url in seen:
            continue
        seen.add(url)
        known = states.get(url)
        if known is not None and known.last_outcome == Outcome.OUT_OF_SCOPE:
            plan.known_out_of_scope.append(url)
        else:
            plan.rows.append(night.row(url, Outcome.OUT_OF_SCOPE, Reason.NOT_A_COMPARISON_PAGE,
                                       None, True))
    wanted = _plan_listed(night, pages, states, seen, allowed, plan.rows)
    wanted += _plan_unlisted(night, pages, states, seen, allowed, plan.rows)
    rank = {why: i for i, why in enumerate(PRIORITY)}
    wanted.sort(key=lambda item: rank.get(item.why, len(rank)))
    if max_pages is not None and len(wanted) > max_pages:
        for item in wanted[max_pages:]:
            plan.rows.append(night.row(item.url, Outcome.SKIPPED, Reason.MAX_PAGES,
                                       item.sitemap_lastmod, item.in_sitemap))
        wanted = wanted[:max_pages]
    plan.fetch = wanted
    return plan


def _plan_listed(night: _Night, pages: Mapping[str, datetime | None],
                 states: Mapping[str, UrlHistory], done: set[str],
                 allowed: Callable[[str], bool], rows: list[FetchRow]) -> list[PlanItem]:
    """The requests for the pages discovery listed; rows for those left alone go to `rows`."""
    wanted: list[PlanItem] = []
    for url, lastmod in pages.items():
        if url in done:
            continue
        if not allowed(url):
            rows.append(night.row(url, Outcome.DISALLOWED, Reason.ROBOTS, lastmod, True))
            continue
        state = states.get(url)
        why = _why_listed(night, url, state, lastmod)
        if why is None:
            rows.append(night.row(url, Outcome.SKIPPED, Reason.UNCHANGED, lastmod, True))
            continue
        wanted.append(_item(url, why, state, lastmod, True))
    return wanted


def _plan_unlisted(night: _Night, pages: Mapping[str, datetime | None],
                   states: Mapping[str, UrlHistory], done: set[str],
                   allowed: Callable[[str], bool], rows: list[FetchRow]) -> list[PlanItem]:
    """The requests for pages known from earlier runs that discovery did not list tonight;
    rows for those robots.txt refuses go to `rows`."""
    wanted: list[PlanItem] = []
    for url, state in states.items():
        if url in pages or url in done:
            continue
        if state.last_outcome is None or state.last_outcome in _ABSENT:
            continue
        if not allowed(url):
            rows.append(night.row(url, Outcome.DISALLOWED, Reason.ROBOTS, None, False))
            continue
        if not night.sitemap_mode:
            wanted.append(_item(url, Why.NO_LASTMOD, state, None, True))
        elif state.last_in_sitemap:
            wanted.append(_item(url, Why.LEFT_SITEMAP, state, None, False))
        elif state.last_outcome == Outcome.FAILED or night.due(url, state):
            wanted.append(_item(url, Why.RECHECK, state, None, False))
    return wanted
