"""The frontier: batches in plan order, links queued once, within the limit, robots rows."""

from __future__ import annotations

from crawler import FetchKind, FetchRow, Frontier, Outcome, PlanItem, Reason, Why

U = [f"https://x.io/compare/a{i}-vs-b" for i in range(10)]


def items(*urls: str) -> list[PlanItem]:
    return [PlanItem(url=u, why=Why.NEW) for u in urls]


def test_batches_keep_plan_order_until_empty() -> None:
    frontier = Frontier(items(*U[:5]), seen=(), limit=None, allowed=None)
    assert frontier and frontier.total == 5
    assert [i.url for i in frontier.next_batch(2)] == U[:2]
    assert [i.url for i in frontier.next_batch(2)] == U[2:4]
    assert [i.url for i in frontier.next_batch(2)] == U[4:5]
    assert not frontier and frontier.next_batch(2) == []
    assert frontier.total == 5  # planned, not left


def test_links_are_queued_once_and_not_when_seen() -> None:
    frontier = Frontier(items(U[0]), seen=[U[1]], limit=None, allowed=None)
    rows = frontier.add_links([U[0], U[1], U[2], U[2], U[3]], run_id="r")
    assert rows == []
    queued = frontier.next_batch(10)
    assert [(i.url, i.why) for i in queued] == [(U[0], "new"), (U[2], "link"), (U[3], "link")]
    assert frontier.total == 3
    assert frontier.add_links([U[2], U[3]], run_id="r") == [] and not frontier


def test_limit_counts_the_initial_items() -> None:
    frontier = Frontier(items(U[0], U[1]), seen=(), limit=3, allowed=None)
    frontier.add_links([U[2], U[3], U[4]], run_id="r")
    assert frontier.total == 3
    assert [i.url for i in frontier.next_batch(10)] == [U[0], U[1], U[2]]
    # a link past the limit stays unseen: it is not planned, and no row is made for it
    assert frontier.add_links([U[3]], run_id="r") == []


def test_robots_refused_links_become_disallowed_rows() -> None:
    frontier = Frontier([], seen=(), limit=2, allowed=lambda url: url != U[1])
    rows = frontier.add_links([U[1], U[2], U[1]], run_id="run-1")
    assert rows == [FetchRow(run_id="run-1", url=U[1], kind=FetchKind.PAGE,
                             outcome=Outcome.DISALLOWED, reason=Reason.ROBOTS, in_sitemap=True)]
    assert rows[0].to_dict()["outcome"] == "disallowed"
    assert frontier.total == 1  # a refused link is not planned
    assert [i.url for i in frontier.next_batch(5)] == [U[2]]
