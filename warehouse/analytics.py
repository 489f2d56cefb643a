"""The pandas API: one function per analyst view, returning a DataFrame.

Thin wrappers over the views in ``sql/050_views.sql`` (read their comments for what a row
is and what each column means): filters are bound parameters, never formatted into SQL.
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

__all__ = [
    "GRANULARITIES",
    "archive_totals",
    "granularity",
    "latest_tool_verdicts",
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


def _df(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> pd.DataFrame:
    with warnings.catch_warnings():
        # duckdb's DataFrame conversion uses a pandas keyword that pandas 3.1 deprecates
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        return con.execute(sql, params or []).df()


def latest_tool_verdicts(
    con: duckdb.DuckDBPyConnection, *, vendor: str | None = None
) -> pd.DataFrame:
    """One row per tool with its latest panel figures and vendor (optionally one vendor's)."""
    return _df(
        con,
        "SELECT * FROM latest_tool_verdicts WHERE ? IS NULL OR vendor = ? "
        "ORDER BY vendor NULLS LAST, tool_slug",
        [vendor, vendor],
    )


def tool_history(con: duckdb.DuckDBPyConnection, slug: str | None = None) -> pd.DataFrame:
    """The SCD2 states of one tool's cards (or every tool's), per page, in time order."""
    return _df(
        con,
        "SELECT * FROM tool_history WHERE ? IS NULL OR tool_slug = ? "
        "ORDER BY tool_slug, valid_from, url, position",
        [slug, slug],
    )


def review_history(
    con: duckdb.DuckDBPyConnection, slug: str | None = None, persona: str | None = None
) -> pd.DataFrame:
    """The SCD2 states of reviews, optionally of one tool and/or one persona."""
    return _df(
        con,
        "SELECT * FROM review_history WHERE (? IS NULL OR tool_slug = ?) "
        "AND (? IS NULL OR persona = ?) ORDER BY tool_slug, persona, valid_from, url",
        [slug, slug, persona, persona],
    )


def verdict_changes(
    con: duckdb.DuckDBPyConnection,
    since: datetime | date | str | None = None,
    *,
    kind: str | None = None,
) -> pd.DataFrame:
    """Verdict/score changes observed at or after `since` (all when None), newest first;
    `kind` 'panel' or 'review' keeps one kind."""
    if kind not in (None, "panel", "review"):
        raise ValueError(f"kind must be 'panel', 'review' or None, got {kind!r}")
    since_ts = None if since is None else pd.Timestamp(since)
    if since_ts is not None and since_ts.tzinfo is None:
        since_ts = since_ts.tz_localize("UTC")
    return _df(
        con,
        "SELECT * FROM verdict_changes WHERE (?::TIMESTAMPTZ IS NULL OR observed_at >= ?) "
        "AND (? IS NULL OR kind = ?) "
        "ORDER BY observed_at DESC, tool_slug, kind, persona NULLS FIRST, url",
        [
            None if since_ts is None else since_ts.to_pydatetime(),
            None if since_ts is None else since_ts.to_pydatetime(),
            kind,
            kind,
        ],
    )


def _by_period(con: duckdb.DuckDBPyConnection, view: str, key: str, freq: str) -> pd.DataFrame:
    # `view` and `key` come from this module only, never from a caller.
    return _df(
        con,
        f"SELECT * FROM {view} WHERE granularity = ? ORDER BY period_start, {key} NULLS LAST",
        [granularity(freq)],
    )


def ship_rate_by_vendor(con: duckdb.DuckDBPyConnection, freq: str = "W") -> pd.DataFrame:
    """Per vendor and period: tools known, how many ship (panel_ship_pct > 50), ship rate."""
    return _by_period(con, "ship_rate_by_vendor", "vendor", freq)


def persona_leniency(con: duckdb.DuckDBPyConnection, freq: str = "M") -> pd.DataFrame:
    """Per persona and period: reviews known, mean/median score, share of 'ship' verdicts."""
    return _by_period(con, "persona_leniency", "persona", freq)


def review_scores(con: duckdb.DuckDBPyConnection, freq: str = "W") -> pd.DataFrame:
    """Per period, every (tool, persona) review's score and verdict as of the period's end:
    the distribution behind persona_leniency."""
    return _df(
        con,
        "SELECT * FROM review_asof_periods WHERE granularity = ? "
        "ORDER BY period_start, persona, tool_slug",
        [granularity(freq)],
    )


def category_trends(con: duckdb.DuckDBPyConnection, freq: str = "M") -> pd.DataFrame:
    """Per category and period: tools known, mean panel ship %, ship rate."""
    return _by_period(con, "category_trends", "category", freq)


def head_to_head(con: duckdb.DuckDBPyConnection, slug: str | None = None) -> pd.DataFrame:
    """Compared pairs with both tools' latest figures from the same page (optionally the
    pairs one tool is in)."""
    return _df(
        con,
        "SELECT * FROM head_to_head WHERE ? IS NULL OR tool_a_slug = ? OR tool_b_slug = ? "
        "ORDER BY tool_a_slug, tool_b_slug",
        [slug, slug, slug],
    )


def archive_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What the warehouse holds: pages, captures, failed parses, tools, tools with a vendor."""
    pages, captures, failed = con.execute(
        "SELECT count(DISTINCT url), count(*), count(*) FILTER (parse_status = 'error') "
        "FROM capture"
    ).fetchall()[0]
    tools = con.execute("SELECT count(*) FROM tool").fetchall()[0][0]
    with_vendor, listed = con.execute(
        "SELECT count(*) FILTER (vendor IS NOT NULL), count(*) FROM latest_tool_verdicts"
    ).fetchall()[0]
    return {"pages": pages, "captures": captures, "failed": failed, "tools": tools,
            "tools_with_vendor": with_vendor, "tools_listed": listed}
