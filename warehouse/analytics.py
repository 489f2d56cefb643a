"""The pandas API: one function per analyst view, returning a DataFrame.

Thin wrappers over the views in ``sql/050_views.sql`` and ``sql/055_period_views.sql``
(read their comments for what a row is and what each column means), one query each in
``sql/queries/analytics_*.sql``: filters are bound parameters, never formatted into SQL.
Every function takes an open connection, usually read-only::

    from warehouse.snapshot import open_readonly
    from warehouse import analytics
    con = open_readonly("data")
    analytics.ship_rate_by_vendor(con, freq="W")

``freq`` accepts pandas-style aliases ('D', 'W', 'M'/'MS') or the view's own granularity
names ('day', 'week', 'month').
"""

from __future__ import annotations

import warnings
from datetime import date, datetime

import duckdb
import pandas as pd

from warehouse.queries import query

__all__ = [
    "GRANULARITIES",
    "archive_totals",
    "granularity",
    "latest_tool_verdicts",
    "tool_trend",
    "review_trend",
    "tool_history",
    "review_history",
    "verdict_changes",
    "ship_rate_by_vendor",
    "persona_leniency",
    "category_trends",
    "head_to_head",
    "review_scores",
]

#: accepted `freq` values -> the views' granularity
GRANULARITIES: dict[str, str] = {
    "D": "day", "day": "day", "daily": "day",
    "W": "week", "W-MON": "week", "week": "week", "weekly": "week",
    "M": "month", "MS": "month", "ME": "month", "month": "month", "monthly": "month",
}  # fmt: skip


def granularity(freq: str) -> str:
    """Map a `freq` alias to the views' granularity ('day', 'week' or 'month')."""
    try:
        return GRANULARITIES[freq if freq in GRANULARITIES else freq.lower()]
    except KeyError:
        raise ValueError(f"unknown freq {freq!r}: use one of D/W/M or day/week/month") from None


def _df(con: duckdb.DuckDBPyConnection, name: str, params: list[object]) -> pd.DataFrame:
    """The result of the named query (``sql/queries/<name>.sql``) as a DataFrame."""
    with warnings.catch_warnings():
        # duckdb's DataFrame conversion uses a pandas keyword that pandas 3.1 deprecates
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        return con.execute(query(name), params).df()


def latest_tool_verdicts(
    con: duckdb.DuckDBPyConnection, *, vendor: str | None = None
) -> pd.DataFrame:
    """One row per tool with its latest panel figures and vendor (optionally one vendor's)."""
    return _df(con, "analytics_latest_tool_verdicts", [vendor, vendor])


def tool_trend(con: duckdb.DuckDBPyConnection, slug: str | None = None) -> pd.DataFrame:
    """Each tool's figure across all its live pages, state by state, with what caused each
    change (optionally one tool's)."""
    return _df(con, "analytics_tool_trend", [slug, slug])


def review_trend(
    con: duckdb.DuckDBPyConnection, slug: str | None = None, persona: str | None = None
) -> pd.DataFrame:
    """Each critic's review of each tool across the tool's live pages, state by state."""
    return _df(con, "analytics_review_trend", [slug, slug, persona, persona])


def tool_history(con: duckdb.DuckDBPyConnection, slug: str | None = None) -> pd.DataFrame:
    """The SCD2 states of one tool's cards (or every tool's), per page, in time order."""
    return _df(con, "analytics_tool_history", [slug, slug])


def review_history(
    con: duckdb.DuckDBPyConnection, slug: str | None = None, persona: str | None = None
) -> pd.DataFrame:
    """The SCD2 states of reviews, optionally of one tool and/or one persona."""
    return _df(con, "analytics_review_history", [slug, slug, persona, persona])


def verdict_changes(
    con: duckdb.DuckDBPyConnection,
    since: datetime | date | str | None = None,
    *,
    kind: str | None = None,
) -> pd.DataFrame:
    """Verdict/score changes within one page observed at or after `since` (all when None),
    newest first; `kind` 'panel' or 'review' keeps one kind; `basis` says 'observed' or
    'inferred' (a compact page's score matched from another page)."""
    if kind not in (None, "panel", "review"):
        raise ValueError(f"kind must be 'panel', 'review' or None, got {kind!r}")
    since_ts = None if since is None else pd.Timestamp(since)
    if since_ts is not None and since_ts.tzinfo is None:
        since_ts = since_ts.tz_localize("UTC")
    since_dt = None if since_ts is None else since_ts.to_pydatetime()
    return _df(con, "analytics_verdict_changes", [since_dt, since_dt, kind, kind])


def ship_rate_by_vendor(con: duckdb.DuckDBPyConnection, freq: str = "W") -> pd.DataFrame:
    """Per vendor and period: tools with a live page, how many ship (majority verdict of
    their pages 'Ship'), ship rate."""
    return _df(con, "analytics_ship_rate_by_vendor", [granularity(freq)])


def persona_leniency(con: duckdb.DuckDBPyConnection, freq: str = "M") -> pd.DataFrame:
    """Per persona and period: reviews known, mean/median score, share of 'ship' verdicts."""
    return _df(con, "analytics_persona_leniency", [granularity(freq)])


def review_scores(con: duckdb.DuckDBPyConnection, freq: str = "W") -> pd.DataFrame:
    """Per period, every (tool, persona) review's score and verdict as of the period's end:
    the distribution behind persona_leniency."""
    return _df(con, "analytics_review_scores", [granularity(freq)])


def category_trends(con: duckdb.DuckDBPyConnection, freq: str = "M") -> pd.DataFrame:
    """Per category and period: tools known, mean panel ship %, ship rate."""
    return _df(con, "analytics_category_trends", [granularity(freq)])


def head_to_head(con: duckdb.DuckDBPyConnection, slug: str | None = None) -> pd.DataFrame:
    """Compared pairs with both tools' latest figures from the same page (optionally the
    pairs one tool is in)."""
    return _df(con, "analytics_head_to_head", [slug, slug, slug])


def archive_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What the warehouse holds: pages, captures, failed parses, tools, tools with a vendor."""
    cur = con.execute(query("analytics_archive_totals"))
    names = [d[0] for d in cur.description or []]
    return dict(zip(names, cur.fetchall()[0], strict=True))
