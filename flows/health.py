"""A run's verdict on itself: did the night do its job? And one honest line when not.

A crawl that reached nothing, or whose failures pass a threshold, must end Failed (the
Prefect state, the exit status and ``crawl_run.status``), so a scheduler raises an alert.
:func:`night_problem` applies the rules to the run's recorded outcomes; the pipeline raises
:class:`RunFailed` with the line it returns. The raw bytes are archived either way, so a
fixed parser plus ``verdicts reparse`` recovers a night whose pages did not parse.

:func:`cause_line` turns any exception into one line naming the real cause: the OS error
under a DuckDB or Prefect wrapper (``No space left on device``, ``Read-only file system``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from warehouse import crawl_state as state

__all__ = ["RunFailed", "Thresholds", "cause_line", "night_problem", "unreachable"]


class RunFailed(Exception):  # noqa: N818 - reads as what happened: the run failed
    """The run did not do its job; str is one line saying why. `summary` is the run's
    summary (recorded and published before the raise), when the run got that far."""

    def __init__(self, reason: str, summary: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.summary = summary


@dataclass(frozen=True)
class Thresholds:
    """When a night that ran to its end still failed.

    Pages that were already failing before tonight (the same URL's previous attempt failed
    too) count neither as due nor as failed: a page broken for good is listed every night,
    it does not fail every night.
    """

    #: fail when more than this share of tonight's due pages failed…
    max_failed_share: float = 0.2
    #: …and at least this many did (one flaky page on a 3-page night is not an alarm)
    min_failed: int = 3
    #: fail when the share of new captures that parse falls below this fraction of the
    #: last finished night's (1.0 on a first night)…
    parse_drop: float = 0.5
    #: …both nights having at least this many new captures
    min_captures: int = 10


_HUMAN = {
    "dns_error": "DNS lookup failed for {host}",
    "connection_error": "could not connect to {netloc}",
    "connection_reset": "{netloc} reset the connection",
    "timeout": "{netloc} did not answer in time",
    "http_5xx": "{netloc} answered with server errors",
    "http_429": "{netloc} kept answering 429 Too Many Requests",
}


def unreachable(base_url: str, reason: str) -> str:
    """A fetch failure reason in words, e.g. "DNS lookup failed for shiporskip.io"."""
    parts = urlsplit(base_url)
    text = _HUMAN.get(reason, "{netloc}: " + reason)
    return text.format(host=parts.hostname or parts.netloc, netloc=parts.netloc)


def night_problem(con: Any, run_id: str, base_url: str,
                  limits: Thresholds = Thresholds()) -> str | None:
    """Why the night failed, in one line; None when it did its job."""
    h = state.run_health(con, run_id)
    failures = state.run_failures(con, run_id)
    # discovery got no answer and no page answered either: pages known from earlier nights
    # and given up on unrequested (skipped host_down, the breaker) do not make it a night
    if h["discovery_fetches"] and not h["discovery_answered"] and not h["answered"]:
        reasons = [reason for kind, reason, _ in failures if kind != "page"]
        cause = unreachable(base_url, reasons[0]) if reasons else "no answer"
        return (f"site unreachable: {cause} (robots.txt, sitemaps and discovery got no "
                "answer)")
    due = h["due"] - h["still_failing"]
    failed = h["failed"] - h["still_failing"]
    page_reasons = ", ".join(f"{reason} {n}" for kind, reason, n in failures if kind == "page")
    if due > 0 and h["answered"] == 0:
        first = next((r for k, r, _ in failures if k == "page"), "")
        return (f"fetched nothing: all {due} pages due failed, {unreachable(base_url, first)} "
                f"({page_reasons})")
    if failed >= limits.min_failed and failed > limits.max_failed_share * due:
        return (f"{failed} of {due} pages due failed ({failed / due:.0%}, more than "
                f"{limits.max_failed_share:.0%}): {page_reasons}")
    return _parse_problem(con, run_id, h, limits)


def _parse_problem(con: Any, run_id: str, h: dict[str, int], limits: Thresholds) -> str | None:
    """A sharp drop of the share of new captures that parse (a template change)."""
    if h["captures"] < limits.min_captures:
        return None
    base = state.parse_baseline(con, run_id, min_captures=limits.min_captures)
    before = base[2] / base[1] if base else 1.0
    share = h["parsed"] / h["captures"]
    if share >= limits.parse_drop * before:
        return None
    last = f"{before:.0%} on the last finished night" if base else "a first night"
    return (f"only {h['parsed']} of {h['captures']} new captures parsed ({share:.0%}, against "
            f"{last}): has the site's template changed? Fix the parser, then `verdicts "
            "reparse` (the raw pages are archived)")


#: OS errors whose own words name the cause better than any wrapper's.
_OS_CAUSES = (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO,
              errno.EMFILE, errno.ENFILE)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, its causes and contexts, and the members of exception groups, once each."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [x for x in (e.__cause__, e.__context__) if x is not None]
        if isinstance(e, BaseExceptionGroup):
            todo += list(e.exceptions)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def cause_line(exc: BaseException) -> str:
    """One line naming the real cause of `exc`: an OS error found anywhere in its chain
    (errno's words first, then the file), or an OS error's words inside a wrapper's message
    (DuckDB's IO errors), else ``Type: message``."""
    if isinstance(exc, RunFailed):
        return exc.reason
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, OSError) and e.errno in _OS_CAUSES:
            where = f": {e.filename}" if e.filename else ""
            return f"{e.strerror or errno.errorcode[e.errno]}{where}"
    for e in chain:
        text = _one_line(str(e))
        for code in _OS_CAUSES:
            words = os.strerror(code)
            if words in text:
                return f"{words} ({type(e).__name__}: {text})"
    return f"{type(exc).__name__}: {_one_line(str(exc))}" if str(exc) else type(exc).__name__
