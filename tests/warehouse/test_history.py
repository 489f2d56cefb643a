"""History (SCD2) is a pure function of the observation set: order, batching, re-imports
and reparses never show in it; the refresh hook knows when it is stale."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta

import analytics_fixture as fx
import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from warehouse.db import connect
from warehouse.history import HISTORY_TABLES, is_stale, refresh_analytics
from warehouse.load import load_captures
from warehouse.queries import query

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
        "trend_state": 19,  # 10 tool figures (see test_views), 9 (tool, critic) reviews
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


# ------------------------------------------------- the `reviews` fill, by brute force

REVIEW_COLS = (
    "capture_id", "ordinal", "observed_at", "tool_position", "tool_slug", "persona",
    "persona_inferred", "score", "verdict", "quote",
)  # fmt: skip


def expected_reviews(
    tools: list[tuple], reviews: list[tuple], origin: dict[str, tuple[str, str]] | None = None
) -> list[tuple]:
    """The `reviews` view's rows, straight from its rule, pair by pair: a review without a
    score takes persona/score/verdict from the same review (same quote; same tool_slug, or,
    both slugless, the same tool name) with a score in another capture, the one observed
    closest in time; a tie: the earlier; then the first by URL, payload digest (`origin`:
    capture_id -> (url, digest); '' when the capture is not known), capture_id, ordinal.
    `tools`: (capture_id, position, name); `reviews`: rows of REVIEW_COLS."""
    name = {(c, p): n for c, p, n in tools}
    origin = origin or {}
    rows = [dict(zip(REVIEW_COLS, r, strict=True)) for r in reviews]
    for r in rows:
        r["tool_name"] = name.get((r["capture_id"], r["tool_position"]))

    def same_review(s: dict, u: dict) -> bool:
        if s["quote"] is None or s["quote"] != u["quote"] or s["capture_id"] == u["capture_id"]:
            return False
        if s["tool_slug"] is not None or u["tool_slug"] is not None:
            return s["tool_slug"] == u["tool_slug"]
        return u["tool_name"] is not None and s["tool_name"] == u["tool_name"]

    out = []
    for u in rows:
        head = (u["capture_id"], u["ordinal"], u["observed_at"], u["tool_position"],
                u["tool_slug"], u["tool_name"])  # fmt: skip
        if u["score"] is not None:
            out.append((*head, u["persona"], u["persona_inferred"], u["score"], u["verdict"],
                        u["quote"], "page", None))  # fmt: skip
            continue
        best = min(
            (s for s in rows if s["score"] is not None and same_review(s, u)),
            key=lambda s: (
                abs(s["observed_at"] - u["observed_at"]),
                s["observed_at"],
                origin.get(s["capture_id"], ("", "")),
                s["capture_id"],
                s["ordinal"],
            ),
            default=None,
        )
        if best is None:
            out.append((*head, u["persona"], u["persona_inferred"], None, u["verdict"],
                        u["quote"], None, None))  # fmt: skip
        else:
            out.append((*head, first(u["persona"], best["persona"]), u["persona_inferred"],
                        best["score"], first(u["verdict"], best["verdict"]), u["quote"],
                        "matched", best["capture_id"]))  # fmt: skip
    return sorted(out, key=lambda r: (r[0], r[1]))


def first(value: object, fallback: object) -> object:
    return value if value is not None else fallback


def view_reviews(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The `reviews` view's rows (but its source), its fill rebuilt from the observations."""
    con.execute(query("history_fill_full"))
    return con.execute(
        "SELECT * EXCLUDE (source) FROM reviews ORDER BY capture_id, ordinal").fetchall()


T0 = fx.at(3, 10)


@st.composite
def observation_sets(draw: st.DrawFn) -> tuple[list[tuple], list[tuple]]:
    """A few captures on a small grid of moments (so ties of every kind are common), with
    tool cards (names from a tiny pool, some NULL or missing) and reviews (slugs, quotes,
    scores from tiny pools, some NULL), the same review often twice in one capture."""
    unit = draw(st.sampled_from([timedelta(hours=1), timedelta(microseconds=1)]))
    span = draw(st.integers(0, 4))
    ids = draw(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=7, unique=True))
    tools: list[tuple] = []
    reviews: list[tuple] = []
    for cid in ids:
        when = T0 + draw(st.integers(0, span)) * unit
        for position in (1, 2):
            if draw(st.integers(0, 4)):  # a card is sometimes missing
                tools.append((cid, position, draw(st.sampled_from([None, "Alpha", "Beta"]))))
        for ordinal in range(1, draw(st.integers(0, 6)) + 1):
            scored = draw(st.booleans())
            reviews.append((
                cid, ordinal, when,
                draw(st.sampled_from([1, 1, 2, None])),
                draw(st.sampled_from([None, None, "alpha", "beta"])),
                draw(st.sampled_from([None, "Builder", "Skeptic"])),
                draw(st.booleans()),
                draw(st.integers(0, 100)) if scored else None,
                draw(st.sampled_from(["ship", "skip"] if scored else [None, None, "ship"])),
                draw(st.sampled_from(["q1", "q1", "q2", None])),
            ))  # fmt: skip
    return tools, reviews


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


# By hand. `x1` (slugless, Alpha) sits between `w` (1 h before) and `y` (1 h after): a
# tie, the earlier wins. `a1` has a scored copy in its own capture `a` (skipped) and two
# other captures at the same moment (distance 0; the smaller capture_id wins). `x3` has a
# slug, so slugless scored copies are not its review. `z1` matches by name only where both
# lack a slug (`w`'s Beta review: no; its Alpha one: yes). `z2`'s closest capture `p`
# shows its review twice: the smaller ordinal wins.
BY_HAND = (
    [(c, 1, "Alpha") for c in "abcpwxyz"] + [("w", 2, "Beta")],
    [
        ("a", 1, hours(1), 1, None, None, True, None, None, "dup"),
        ("a", 2, hours(1), 1, None, "Skeptic", False, 90, "ship", "dup"),
        ("b", 1, hours(1), 1, None, "Builder", False, 70, "ship", "dup"),
        ("c", 1, hours(1), 1, None, "Founder", False, 60, "skip", "dup"),
        ("p", 1, hours(4), 1, None, "Builder", False, 20, "skip", "ord"),
        ("p", 2, hours(4), 1, None, "Skeptic", False, 30, "skip", "ord"),
        ("w", 1, hours(0), 1, None, "Builder", False, 40, "skip", "tie"),
        ("w", 2, hours(0), 2, None, "Builder", False, 45, "skip", "name"),
        ("w", 3, hours(0), 1, None, "Builder", False, 55, "skip", "name"),
        ("x", 1, hours(1), 1, None, None, True, None, None, "tie"),
        ("x", 3, hours(1), 1, "alpha", None, True, None, None, "tie"),
        ("y", 1, hours(2), 1, None, "Founder", False, 90, "ship", "tie"),
        ("z", 1, hours(5), 1, None, None, True, None, "ship", "name"),
        ("z", 2, hours(5), 1, None, None, True, None, None, "ord"),
    ],
)  # fmt: skip


@pytest.fixture(scope="module")
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory warehouse for every example (applying the schema takes a while)."""
    con = connect(":memory:")
    yield con
    con.close()


def load_observations(
    con: duckdb.DuckDBPyConnection, tools: list[tuple], reviews: list[tuple]
) -> None:
    """Replace every tool/review observation with these (nothing else is needed)."""
    con.execute("DELETE FROM review_observation")
    con.execute("DELETE FROM tool_observation")
    if tools:
        con.executemany(
            "INSERT INTO tool_observation (capture_id, position, observed_at, name) "
            "VALUES (?, ?, ?, ?)",
            [(c, p, T0, n) for c, p, n in tools],
        )
    if reviews:
        con.executemany(
            f"INSERT INTO review_observation ({', '.join(REVIEW_COLS)}) VALUES "
            f"({', '.join('?' * len(REVIEW_COLS))})",
            reviews,
        )


def test_the_brute_force_rule_by_hand() -> None:
    got = {(r[0], r[1]): (r[6], *r[-5:]) for r in expected_reviews(*BY_HAND)}
    assert got[("x", 1)] == ("Builder", 40, "skip", "tie", "matched", "w")  # tie: earlier
    assert got[("a", 1)] == ("Builder", 70, "ship", "dup", "matched", "b")  # not its own
    assert got[("x", 3)] == (None, None, None, "tie", None, None)  # slug vs slugless
    assert got[("z", 1)] == ("Builder", 55, "ship", "name", "matched", "w")  # Alpha only
    assert got[("z", 2)] == ("Builder", 20, "skip", "ord", "matched", "p")  # ordinal 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(observation_sets())
@example(BY_HAND)
def test_reviews_view_follows_the_rule(
    scratch: duckdb.DuckDBPyConnection, observations: tuple[list[tuple], list[tuple]]
) -> None:
    """`reviews` (ASOF joins) = the rule computed pair by pair, on random observation sets
    full of ties, same-moment captures, same-capture duplicates and NULL slugs/names."""
    tools, reviews = observations
    load_observations(scratch, tools, reviews)
    assert view_reviews(scratch) == expected_reviews(tools, reviews)


def test_reviews_view_follows_the_rule_on_the_analytics_fixture() -> None:
    """The fixture's pages, plus a compact P1 capture between two differently scored ones:
    the closest wins."""
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
        tools = con.execute("SELECT capture_id, position, name FROM tool_observation").fetchall()
        reviews = con.execute(f"SELECT {', '.join(REVIEW_COLS)} FROM review_observation").fetchall()
        origin = {c: (u or "", d) for c, u, d in con.execute(
            "SELECT capture_id, url, payload_digest FROM capture").fetchall()}
        got = view_reviews(con)
        assert got == expected_reviews(tools, reviews, origin)
        matched = [r for r in got if r[11] == "matched"]
        assert len(matched) == 16
        # the new compact capture's B Skeptic (v2 text) took #6's 45 (1 h later)
        assert (45, "skip") in {(r[8], r[9]) for r in matched}
    finally:
        con.close()
