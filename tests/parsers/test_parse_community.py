"""The Decision row's community cell `0% Ship (0 / 1)` → ship votes and all votes.

Whether the counts are ship / all or ship / skip is not known (SITE.md); the shown
percentage decides, and where it cannot, the answer is null, never a guess.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.verdict import community_counts, parse_community, parse_community_row


@pytest.mark.parametrize(
    ("line", "shown", "counts"),
    [
        ("0% Ship (0 / 1)", (0, 0, 1), (0, 1)),  # the live site: 0 of 1 in both readings
        ("100% Ship (3 / 3)", (100, 3, 3), (3, 3)),  # 3/6 would be 50 %: ship / all
        ("100% Ship (3 / 0)", (100, 3, 0), (3, 3)),  # 3 of 0 is impossible: ship / skip
        ("50% Ship (1 / 1)", (50, 1, 1), (1, 2)),  # ship / skip
        ("50% Ship (1 / 2)", (50, 1, 2), (1, 2)),  # ship / all
        ("33% Ship (1 / 2)", (33, 1, 2), (1, 3)),  # ship / skip
        ("67% Ship (2 / 3)", (67, 2, 3), (2, 3)),  # ship / all (2/5 would be 40 %)
        ("1% Ship (1 / 150)", (1, 1, 150), (1, None)),  # 1/150 and 1/151 both read 1 %
        ("10% Ship (1 / 10)", (10, 1, 10), (1, None)),  # 10 %, or 9.09 % rounded up
        ("12% Ship (1,200 / 10,000)", (12, 1200, 10000), (1200, 10000)),
        ("70% Ship (1 / 2)", (70, 1, 2), (None, None)),  # fits neither: the page contradicts itself
        ("0% Ship (0 / 0)", (0, 0, 0), (None, None)),
        ("40%  Ship  ( 2 / 5 )", (40, 2, 5), (2, 5)),
    ],
)  # fmt: skip
def test_rows(line: str, shown: tuple[int, int, int], counts: tuple[int | None, ...]) -> None:
    assert parse_community_row(line) == shown
    assert community_counts(*shown) == counts
    assert parse_community(line) == shown[0]


@pytest.mark.parametrize(
    "line",
    ["0% Ship (0 / ", "0% Ship (0 / 1", "0% Ship", "(0 / 1)", "0% Ship (0 of 1)",
     "101% Ship (1 / 1)", "No community votes yet", "—", "0% Ship (0 / 1) extra", "12% · 40 votes"],
)  # fmt: skip
def test_not_a_row_with_counts(line: str) -> None:
    assert parse_community_row(line) is None


def _site_pct(ship: int, total: int) -> int:
    """How a site would round; the parser must not depend on which one it uses."""
    return int(100 * ship / total + 0.5)


@given(st.integers(1, 20_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from(["ship/all", "ship/skip"]),
       st.sampled_from(["nearest", "down", "up"]))
def test_never_a_wrong_count(votes: tuple[int, int], notation: str, rounding: str) -> None:
    ship, total = votes
    exact = 100 * ship / total
    pct = {"nearest": _site_pct(ship, total), "down": int(exact),
           "up": -int(-100 * ship // total)}[rounding]
    second = total if notation == "ship/all" else total - ship
    got_ship, got_total = community_counts(pct, ship, second)
    assert got_ship == ship  # the true reading always fits, and ship comes first in both
    assert got_total in (total, None)
    if ship == 0:
        assert got_total == total  # 0 of n in both readings
