"""Every analyst view against values worked out by hand on tests/analytics_fixture.py.

Read the fixture's docstring first: the table of its eleven captures is what every
expectation below is derived from (A…E are the tools, P1…P3 the pages, #n the captures).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import analytics_fixture as fx
import duckdb
import pytest

from warehouse import analytics
from warehouse.db import connect
from warehouse.history import is_stale

A, B, C, D, E = fx.A, fx.B, fx.C, fx.D, fx.E
P1, P2, P3 = fx.P1, fx.P2, fx.P3
at = fx.at


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(tmp_path_factory.mktemp("views")) / "verdicts.duckdb"
    c = connect(path)
    fx.build(c)
    yield c
    c.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql, params or []).fetchall()]


def test_fixture_loaded_fresh(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT count(*) FROM capture") == [(11,)]
    assert not is_stale(con)


def test_tool_history(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT tool_slug, url, position, state_no, valid_from, valid_to, last_seen_at,
                  observations, badge, panel_verdict, panel_ship_pct, ship_votes, skip_votes
           FROM tool_history ORDER BY tool_slug, url, state_no""",
    )
    assert got == sorted(
        [
            # A on P1: #1 full, #4 compact (no badge shown: not a change), #6, #10 (truncated
            # capture, A's card whole) -> one state
            (A, P1, 1, 1, at(3, 10), None, at(12, 10), 4, "Ship", "Ship", 100, 4, 0),
            # B on P1: 75 Ship at #1 and #4 (compact keeps the Decision figures: same 75 %),
            # 50 Mixed from #6; #10 cut B's card after its name: not a change
            (B, P1, 2, 1, at(3, 10), at(5, 10), at(4, 10), 2, "Ship", "Ship", 75, 3, 1),
            (B, P1, 2, 2, at(5, 10), None, at(12, 10), 2, "Mixed", "Mixed", 50, 2, 2),
            # B on P2 changed a day earlier (#5) than on P1: two sources, kept apart
            (B, P2, 2, 1, at(3, 11), at(4, 11), at(3, 11), 1, "Ship", "Ship", 75, 3, 1),
            (B, P2, 2, 2, at(4, 11), None, at(13, 9), 2, "Mixed", "Mixed", 50, 2, 2),
            (C, P2, 1, 1, at(3, 11), at(13, 9), at(4, 11), 2, "Mixed", "Mixed", 50, 2, 2),
            (C, P2, 1, 2, at(13, 9), None, at(13, 9), 1, "Ship", "Ship", 75, 3, 1),
            (D, P3, 2, 1, at(3, 12), at(11, 10), at(5, 12), 2, "Ship", "Ship", 67, 2, 1),
            (D, P3, 2, 2, at(11, 10), None, at(11, 10), 1, "Ship", "Ship", 100, 3, 0),
            (E, P3, 1, 1, at(3, 12), None, at(11, 10), 3, "Skip", "Skip", 25, 1, 3),
        ]
    )
    # the text capture (#9, no URL) is in no history
    assert rows(
        con, "SELECT count(*) FROM tool_history WHERE url IS NULL OR tool_slug IS NULL"
    ) == [(0,)]
    assert rows(con, "SELECT DISTINCT vendor FROM tool_history WHERE tool_slug = ?", [E]) == [
        (None,)
    ]


def test_review_history(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT tool_slug, persona, state_no, valid_from, valid_to, observations, score,
                  verdict, score_source
           FROM review_history ORDER BY tool_slug, persona, state_no""",
    )
    a = [(A, p, 1, at(3, 10), None, 3, fx.REVIEWS_A[p][0], fx.REVIEWS_A[p][1], "page")
         for p in sorted(fx.PERSONAS)]  # fmt: skip
    b = [
        (B, "Builder", 1, at(3, 10), None, 3, 82, "ship", "page"),
        (B, "Founder", 1, at(3, 10), None, 3, 55, "skip", "page"),
        (B, "Futurist", 1, at(3, 10), None, 3, 78, "ship", "page"),
        # #1 scored 75, #4 (compact) matched to #1's text, #6 a new text scored 45 skip
        (B, "Skeptic", 1, at(3, 10), at(5, 10), 2, 75, "ship", "page"),
        (B, "Skeptic", 2, at(5, 10), None, 1, 45, "skip", "page"),
    ]
    assert got == sorted(a + b)
    assert rows(con, "SELECT DISTINCT url FROM review_history") == [(P1,)]


def test_verdict_changes(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT kind, tool_slug, persona, url, observed_at, previous_observed_at,
                  verdict_before, verdict_after, score_before, score_after,
                  verdict_changed, score_changed, vendor, basis
           FROM verdict_changes ORDER BY observed_at, kind, tool_slug""",
    )
    assert got == [
        ("panel", B, None, P2, at(4, 11), at(3, 11), "Ship", "Mixed", 75, 50, True, True,
         "Mistral AI", "observed"),
        ("panel", B, None, P1, at(5, 10), at(4, 10), "Ship", "Mixed", 75, 50, True, True,
         "Mistral AI", "observed"),
        # the 75 before is #4's compact quote, scored from #1: inferred
        ("review", B, "Skeptic", P1, at(5, 10), at(4, 10), "ship", "skip", 75, 45, True, True,
         "Mistral AI", "inferred"),
        # D: the badge stays Ship, the share moves: a score change only
        ("panel", D, None, P3, at(11, 10), at(5, 12), "Ship", "Ship", 67, 100, False, True,
         "Windsurf", "observed"),
        ("panel", C, None, P2, at(13, 9), at(4, 11), "Mixed", "Ship", 50, 75, True, True,
         "Meta", "observed"),
    ]  # fmt: skip


def test_latest_tool_verdicts(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT tool_slug, name, vendor, vendor_source, category, panel_verdict,
                  panel_ship_pct, ships, observed_at, state_since, cause, cause_url, pages,
                  pages_ship_pct_min, pages_ship_pct_max
           FROM latest_tool_verdicts ORDER BY tool_slug""",
    )
    assert got == sorted(
        [
            (A, "SmolVLM2-2B", "Hugging Face", "slug", "Developer Tools", "Ship", 100.0, True,
             at(12, 10), at(3, 10), "page_added", P1, 1, 100, 100),
            # B: both its pages show 50 since P1 moved on 03-05 (#6); #10 cut B short
            (B, "Mistral Medium 3", "Mistral AI", "slug", "AI Models", "Mixed", 50.0, False,
             at(13, 9), at(5, 10), "page_changed", P1, 2, 50, 50),
            # C: 'Open Source Models' is an 'AI Models' category (warehouse/categories.csv)
            (C, "Llama 4 Compact", "Meta", "slug", "AI Models", "Ship", 75.0, True,
             at(13, 9), at(13, 9), "page_changed", P2, 1, 75, 75),
            (D, "Windsurf", "Windsurf", "slug", "Developer Tools", "Ship", 100.0, True,
             at(11, 10), at(11, 10), "page_changed", P3, 1, 100, 100),
            (E, "Quillpad", None, None, "Developer Tools", "Skip", 25.0, False,
             at(11, 10), at(3, 12), "page_added", P3, 1, 25, 25),
        ]
    )  # fmt: skip


def test_tool_trend_aggregates_every_live_page(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT valid_from, valid_to, panel_verdict, ship_pct, pages, ship_pct_min,
                  ship_pct_max, cause, cause_url
           FROM tool_trend WHERE slug = ? ORDER BY valid_from""",
        [B],
    )
    assert got == [
        (at(3, 10), at(3, 11), "Ship", 75.0, 1, 75, 75, "page_added", P1),
        (at(3, 11), at(4, 11), "Ship", 75.0, 2, 75, 75, "page_added", P2),
        # P2 says 50 while P1 still says 75: one Ship, one Mixed: split, median 62.5
        (at(4, 11), at(5, 10), "split", 62.5, 2, 50, 75, "page_changed", P2),
        (at(5, 10), None, "Mixed", 50.0, 2, 50, 50, "page_changed", P1),
    ]  # fmt: skip
    # one row per tool and state of its figure: 1 + 2 + 4 + 1 + 2 (A, C, B, E, D)
    assert rows(con, "SELECT count(*) FROM tool_trend") == [(10,)]


def test_ship_rate_by_vendor_week(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT period_start, period_end, vendor, tools, shipping, ship_rate, mean_ship_pct
           FROM ship_rate_by_vendor WHERE granularity = 'week'
           ORDER BY period_start, vendor NULLS LAST""",
    )
    w1, w2 = date(2025, 3, 3), date(2025, 3, 10)
    assert got == [
        # as of Mon 03-10 00:00: A 100, B 50 (since #5), C 50, D 67, E 25
        (w1, w2, "Hugging Face", 1, 1, 1.0, 100.0),
        (w1, w2, "Meta", 1, 0, 0.0, 50.0),
        (w1, w2, "Mistral AI", 1, 0, 0.0, 50.0),
        (w1, w2, "Windsurf", 1, 1, 1.0, 67.0),
        (w1, w2, None, 1, 0, 0.0, 25.0),
        # as of 03-17: C 75 (#11), D 100 (#8)
        (w2, date(2025, 3, 17), "Hugging Face", 1, 1, 1.0, 100.0),
        (w2, date(2025, 3, 17), "Meta", 1, 1, 1.0, 75.0),
        (w2, date(2025, 3, 17), "Mistral AI", 1, 0, 0.0, 50.0),
        (w2, date(2025, 3, 17), "Windsurf", 1, 1, 1.0, 100.0),
        (w2, date(2025, 3, 17), None, 1, 0, 0.0, 25.0),
    ]


def test_ship_rate_by_vendor_day_and_month(con: duckdb.DuckDBPyConnection) -> None:
    mistral = rows(
        con,
        """SELECT period_start, shipping FROM ship_rate_by_vendor
           WHERE granularity = 'day' AND vendor = 'Mistral AI' ORDER BY period_start""",
    )
    # every day from the first capture (03-03) to the last (03-13); B ships (75) only as of
    # the end of 03-03: on 03-04 P2 showed 50 (#5, the later capture that day wins)
    assert [d for d, _ in mistral] == [date(2025, 3, d) for d in range(3, 14)]
    assert [s for _, s in mistral] == [1] + [0] * 10
    month = rows(
        con,
        """SELECT sum(tools), sum(shipping) FROM ship_rate_by_vendor
           WHERE granularity = 'month' AND period_start = DATE '2025-03-01'""",
    )
    assert month == [(5, 3)]  # A, C, D ship; B, E do not


def test_category_trends(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT granularity, period_start, category, tools, shipping, ship_rate, mean_ship_pct
           FROM category_trends WHERE granularity IN ('week', 'month')
           ORDER BY granularity, period_start, category""",
    )
    # canonical categories: C's 'Open Source Models' counts as 'AI Models', with B
    assert got == [
        ("month", date(2025, 3, 1), "AI Models", 2, 1, 0.5, 62.5),  # B 50, C 75
        ("month", date(2025, 3, 1), "Developer Tools", 3, 2, 2 / 3, 75.0),  # A 100, D 100, E 25
        ("week", date(2025, 3, 3), "AI Models", 2, 0, 0.0, 50.0),  # B 50, C 50
        ("week", date(2025, 3, 3), "Developer Tools", 3, 2, 2 / 3, 64.0),  # A 100, D 67, E 25
        ("week", date(2025, 3, 10), "AI Models", 2, 1, 0.5, 62.5),
        ("week", date(2025, 3, 10), "Developer Tools", 3, 2, 2 / 3, 75.0),
    ]


def test_persona_leniency(con: duckdb.DuckDBPyConnection) -> None:
    week = rows(
        con,
        """SELECT persona, reviews, mean_score, median_score, ship_share FROM persona_leniency
           WHERE granularity = 'week' AND period_start = DATE '2025-03-03' ORDER BY persona""",
    )
    # reviews of A and B on P1 (the text capture's reviews have no slug: left out)
    assert week == [
        ("Builder", 2, 83.5, 83.5, 1.0),  # 85, 82
        ("Founder", 2, 63.5, 63.5, 0.5),  # 72 ship, 55 skip
        ("Futurist", 2, 80.0, 80.0, 1.0),  # 82, 78
        ("Skeptic", 2, 61.5, 61.5, 0.5),  # 78 ship, 45 skip (B's changed on 03-05)
    ]
    skeptic = rows(
        con,
        """SELECT period_start, mean_score, ship_share FROM persona_leniency
           WHERE granularity = 'day' AND persona = 'Skeptic' AND period_start <= DATE '2025-03-05'
           ORDER BY period_start""",
    )
    assert skeptic == [
        (date(2025, 3, 3), 76.5, 1.0),  # 78, 75
        (date(2025, 3, 4), 76.5, 1.0),  # the compact page's quote matched 75
        (date(2025, 3, 5), 61.5, 0.5),  # 78, 45
    ]


def test_head_to_head(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        con,
        """SELECT tool_a_slug, tool_b_slug, url, observed_at, pages, a_panel_ship_pct, a_verdict,
                  b_panel_ship_pct, b_verdict, ship_pct_diff, leader, a_vendor, b_vendor
           FROM head_to_head ORDER BY tool_a_slug""",
    )
    assert got == sorted(
        [
            (A, B, P1, at(12, 10), 1, 100, "Ship", 50, "Mixed", 50, A, "Hugging Face",
             "Mistral AI"),
            (C, B, P2, at(13, 9), 1, 75, "Ship", 50, "Mixed", 25, C, "Meta", "Mistral AI"),
            (E, D, P3, at(11, 10), 1, 25, "Skip", 100, "Ship", -75, D, None, "Windsurf"),
        ]
    )  # fmt: skip


def test_captures_view_keeps_the_text_capture(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT count(*) FROM captures WHERE url IS NULL") == [(1,)]


# -- the pandas API: the same answers --------------------------------------------------------


def test_pandas_api(con: duckdb.DuckDBPyConnection) -> None:
    latest = analytics.latest_tool_verdicts(con)
    assert list(latest["tool_slug"])[:4] == [A, C, B, D]  # by vendor, unknown last
    assert analytics.latest_tool_verdicts(con, vendor="Meta")["tool_slug"].tolist() == [C]

    weekly = analytics.ship_rate_by_vendor(con, freq="W")
    assert set(weekly["granularity"]) == {"week"}
    assert len(weekly) == 10
    assert len(analytics.ship_rate_by_vendor(con, freq="D")) == 55  # 11 days x 5 vendors
    assert analytics.ship_rate_by_vendor(con, "month")["tools"].sum() == 5

    hist = analytics.tool_history(con, B)
    assert hist["panel_ship_pct"].tolist() == [75, 75, 50, 50]  # by valid_from: P1, P2, P2, P1
    assert hist["url"].tolist() == [P1, P2, P2, P1]

    changes = analytics.verdict_changes(con, since="2025-03-05")
    assert changes["observed_at"].dt.day.tolist() == [13, 11, 5, 5]
    assert len(analytics.verdict_changes(con, kind="review")) == 1
    with pytest.raises(ValueError):
        analytics.verdict_changes(con, kind="nope")

    lenient = analytics.persona_leniency(con, freq="M")
    assert lenient.set_index("persona")["mean_score"].to_dict() == {
        "Builder": 83.5, "Founder": 63.5, "Futurist": 80.0, "Skeptic": 61.5,
    }  # fmt: skip
    assert analytics.category_trends(con, "M")["tools"].tolist() == [2, 3]
    assert analytics.head_to_head(con, D)["tool_a_slug"].tolist() == [E]
    assert analytics.review_history(con, B, "Skeptic")["score"].tolist() == [75, 45]
    with pytest.raises(ValueError, match="unknown freq"):
        analytics.ship_rate_by_vendor(con, "fortnight")


def test_pandas_api_binds_parameters(con: duckdb.DuckDBPyConnection) -> None:
    evil = "x' OR '1'='1"
    assert analytics.tool_history(con, evil).empty
    assert analytics.latest_tool_verdicts(con, vendor=evil).empty
