"""History (SCD2) is a pure function of the observation set: order, batching, re-imports
and reparses never show in it; the refresh hook knows when it is stale."""

from __future__ import annotations

import dataclasses

import analytics_fixture as fx
import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.db import connect
from warehouse.history import HISTORY_TABLES, is_stale, refresh_analytics
from warehouse.load import load_captures

N = len(fx.pages())


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every derived table (histories and vendors) as sorted rows."""
    out = {}
    for table in [*HISTORY_TABLES, "tool_vendor"]:
        out[table] = sorted(
            (tuple(r) for r in con.execute(f"SELECT * FROM {table}").fetchall()),
            key=repr,
        )
    return out


def build(order: list[int] | None = None, batches: int = 1) -> dict[str, list[tuple]]:
    con = connect(":memory:")
    try:
        fx.build(con, order, batches)
        return snapshot(con)
    finally:
        con.close()


BASELINE = build()


def test_baseline_is_not_empty() -> None:
    assert {t: len(r) for t, r in BASELINE.items()} == {
        "tool_state": 10,
        "review_state": 9,
        "tool_asof": 8,
        "review_asof": 9,
        "tool_vendor": 5,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(N)), batches=st.integers(min_value=1, max_value=N))
def test_any_load_order_gives_the_same_history(order: list[int], batches: int) -> None:
    assert build(list(order), batches) == BASELINE


def test_reimport_and_reparse_change_nothing() -> None:
    con = connect(":memory:")
    try:
        fx.build(con)
        load_captures(con, fx.records())  # the same captures again: skipped
        assert not is_stale(con)
        assert refresh_analytics(con) is False
        load_captures(con, fx.records(list(reversed(range(N)))), replace=True)  # a reparse
        refresh_analytics(con, force=True)
        assert snapshot(con) == BASELINE
    finally:
        con.close()


def test_materialised_tables_equal_their_live_views() -> None:
    con = connect(":memory:")
    try:
        fx.build(con)
        for table, (view, _) in HISTORY_TABLES.items():
            diff = con.execute(
                f"SELECT count(*) FROM ((FROM {table} EXCEPT ALL FROM {view}) "
                f"UNION ALL (FROM {view} EXCEPT ALL FROM {table}))"
            ).fetchone()
            assert diff == (0,), table
    finally:
        con.close()


def test_refresh_hook_tracks_staleness() -> None:
    con = connect(":memory:")
    try:
        recs = fx.records()
        load_captures(con, recs[:5])
        assert is_stale(con)
        assert refresh_analytics(con) is True
        assert not is_stale(con)
        assert con.execute("SELECT count(*) FROM tool_state").fetchone() == (7,)
        load_captures(con, recs[5:])
        assert is_stale(con)  # new captures since the last refresh
        assert refresh_analytics(con) is True
        assert snapshot(con) == BASELINE
        assert con.execute("SELECT count(*) FROM analytics_refresh").fetchone() == (2,)
    finally:
        con.close()


def test_a_change_back_is_a_new_state() -> None:
    """A -> B -> A is three states, each dated when it was observed."""
    con = connect(":memory:")
    try:
        url, first, page = fx.pages()[2]  # P3: E 25 · D 67
        recs = fx.records([2])
        changed = fx.page(
            fx.P3,
            "full",
            [
                fx.tool(fx.E, 1, 25, name_of=fx.E, votes=(1, 3), badge="Skip"),
                fx.tool(fx.D, 2, 100, name_of=fx.D, votes=(3, 0), badge="Ship"),
            ],
        )
        recs.append(
            dataclasses.replace(
                recs[0], observed_at=fx.at(6, 8), page=changed, payload_digest="sha1:B"
            )
        )
        recs.append(dataclasses.replace(recs[0], observed_at=fx.at(7, 8), payload_digest="sha1:C"))
        load_captures(con, recs)
        refresh_analytics(con)
        got = con.execute(
            "SELECT state_no, valid_from, valid_to, panel_ship_pct FROM tool_history "
            "WHERE tool_slug = ? ORDER BY state_no",
            [fx.D],
        ).fetchall()
        assert got == [
            (1, first, fx.at(6, 8), 67),
            (2, fx.at(6, 8), fx.at(7, 8), 100),
            (3, fx.at(7, 8), None, 67),
        ]
        assert url == fx.P3 and page["layout"] == "full"
    finally:
        con.close()


def test_review_fill_agrees_with_the_reviews_view() -> None:
    """review_fill_live (ASOF) gives what `reviews` gives, for every review with a slug,
    including a compact capture between two differently scored ones (closest wins)."""
    con = connect(":memory:")
    try:
        recs = fx.records()
        # one more compact P1 capture, 03-05 09:00, already showing B's Skeptic new text
        # (v2): it matches #6 (scored 45 skip, an hour later), the only scored v2
        compact = fx.page(
            fx.P1,
            "compact",
            [fx.tool(fx.A, 1, 100, name_of=fx.A, full=False),
             fx.tool(fx.B, 2, 50, name_of=fx.B, full=False)],
            fx.reviews(fx.REVIEWS_A, fx.B_SKEPTIC_CHANGED, fx.A, fx.B, compact=True,
                       b_versions={"Skeptic": 2}),
        )  # fmt: skip
        recs.append(
            dataclasses.replace(
                recs[3], observed_at=fx.at(5, 9), page=compact, payload_digest="sha1:Z"
            )
        )
        load_captures(con, recs)
        cols = "capture_id, ordinal, persona, score, verdict, score_source, matched_capture_id"
        mine = con.execute(f"SELECT {cols} FROM review_fill_live ORDER BY ALL").fetchall()
        theirs = con.execute(
            f"SELECT {cols} FROM reviews WHERE tool_slug IS NOT NULL ORDER BY ALL"
        ).fetchall()
        assert mine == theirs
        assert sum(1 for r in mine if r[5] == "matched") == 16
        # the new compact capture's B Skeptic (v2 text) took #6's 45 (1 h later)
        assert (45, "skip") in {(r[3], r[4]) for r in mine if r[5] == "matched"}
    finally:
        con.close()
