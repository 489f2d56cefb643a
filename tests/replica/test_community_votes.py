"""Community vote counts: served by the replica in either notation, read back by the parser.

The replica's world knows what the Decision row's two counts are (`vote_counts`: ship / all
or ship / skip); the parser does not, and must work it out from the shown percentage. The
truth here is the replica's catalog (community_ship, community_votes); what a reader can
tell from the page (`ToolView.told_counts`) is the replica's own, independent account.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from parsers import parse_comparison
from replica import Replica

#: Days with votes on full pages, including pages where both readings fit the percentage.
DAYS = (0, 24, 36)


@pytest.mark.parametrize("vote_counts", ["ship/all", "ship/skip"])
def test_parsed_votes_match_the_catalog(vote_counts: str) -> None:
    seen: Counter[str] = Counter()
    with Replica(day=0, vote_counts=vote_counts) as rep, httpx.Client(timeout=10) as c:
        for day in DAYS:
            rep.set_day(day)
            for path in rep.catalog.paths():
                page = rep.catalog.comparison(path)
                assert page is not None
                if not any(tv.has_votes for tv in page.tools):
                    continue
                r = c.get(rep.base_url + path)
                got = parse_comparison(r.content, url=r.url.__str__(),
                                       content_type=r.headers["content-type"])
                for tv, tool in zip(page.tools, got.tools, strict=True):
                    where = (day, path, tv.community_row)
                    if not tv.has_votes:
                        assert tool.community_votes is None, where
                        continue
                    assert tool.community_pct == tv.community_pct, where
                    if page.layout == "compact":  # no Decision table: the counts are not shown
                        assert (tool.community_ship_votes, tool.community_votes) == (None, None)
                        seen["compact"] += 1
                        continue
                    # Never a wrong figure: the truth, or null where the page can't tell.
                    assert tool.community_ship_votes == tv.community_ship, where
                    assert tool.community_votes in (tv.community_votes, None), where
                    assert (tool.community_ship_votes, tool.community_votes) \
                        == tv.told_counts(), where
                    seen["known" if tool.community_votes is not None else "ambiguous"] += 1
                    if tv.community_row == "0% Ship (0 / 1)":
                        seen["zero of one"] += 1
    assert seen["known"] >= 20 and seen["compact"] >= 20, seen
    assert seen["ambiguous"] >= 1 and seen["zero of one"] >= 1, seen


def test_the_two_notations_show_different_rows_for_the_same_votes() -> None:
    with Replica(day=36, vote_counts="ship/all") as a, Replica(day=36,
                                                               vote_counts="ship/skip") as b:
        path = next(p for p in a.catalog.paths()
                    if (pg := a.catalog.comparison(p)) is not None
                    and any(0 < tv.community_ship < tv.community_votes for tv in pg.tools))
        ta = next(tv for tv in a.catalog.comparison(path).tools  # type: ignore[union-attr]
                  if 0 < tv.community_ship < tv.community_votes)
        tb = next(tv for tv in b.catalog.comparison(path).tools  # type: ignore[union-attr]
                  if tv.slug == ta.slug)
    assert (ta.community_ship, ta.community_votes) == (tb.community_ship, tb.community_votes)
    assert ta.community_row != tb.community_row
    ship, total = ta.community_ship, ta.community_votes
    assert ta.community_row.endswith(f"({ship} / {total})")
    assert tb.community_row.endswith(f"({ship} / {total - ship})")


def test_unknown_notation_is_refused() -> None:
    with pytest.raises(ValueError, match="vote_counts"):
        Replica(vote_counts="ship/none")
