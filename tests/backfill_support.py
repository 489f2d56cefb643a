"""Shared pieces of the backfill tests: the local archives (tests/wayback_support.py), the
oddity day's window, and the truth check of the warehouse against the replica's catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from wayback_support import Archive

from backfill import BackfillSpec, Politeness, Settled, discover, fetch_batch, plan
from flows.backfill import load_settled
from replica import ArchivedCapture, CaptureKind
from warehouse.db import connect

#: Loopback archives: no need to wait between requests, nor long after a 429.
FAST = Politeness(rate=200.0, backoff_base=0.05, backoff_max=0.2, max_attempts=4)

TOOL_FIELDS = ("position", "slug", "name", "category", "tagline", "badge", "panel_ship_pct",
               "community_pct", "entry", "description", "panel_verdict", "ship_votes",
               "skip_votes", "pricing", "best_for", "community_ship_votes", "community_votes")
REVIEW_FIELDS = ("tool_position", "persona", "persona_inferred", "score", "verdict", "quote")


def odd_day(archive: Archive) -> date:
    """The day the archive holds its oddities (a soft-404, a bad digest)."""
    odd = [c for c in archive.captures if c.kind != CaptureKind.COMPARISON]
    return odd[0].captured_at.date()


def in_window(archive: Archive, since: date, until: date | None = None
              ) -> list[ArchivedCapture]:
    """The archive's 200 captures from `since` to `until` (default: that one day), what a
    CDX query for those days lists."""
    last = until or since
    return [c for c in archive.captures
            if since <= c.captured_at.date() <= last and c.status == 200]


def run_engine(spec: BackfillSpec) -> list[Settled]:
    """discover → plan → fetch + archive → load, without Prefect; what was settled."""
    found = discover(spec)
    todo = plan(spec, found.captures)
    result = fetch_batch(spec, todo.todo, found.not_before)
    load_settled(spec.data_dir, result.settled)
    return [*todo.skipped, *result.settled]


def first_copies(captures: list[ArchivedCapture]) -> dict[tuple[str, str], ArchivedCapture]:
    """(url, true payload digest) → its earliest comparison capture: what a backfill must
    load as a capture (later identical payloads are revisits)."""
    out: dict[tuple[str, str], ArchivedCapture] = {}
    for c in sorted(captures, key=lambda c: c.captured_at):
        if c.kind == CaptureKind.COMPARISON:
            out.setdefault((c.url, c.payload_digest), c)
    return out


def _rows(con: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def check_truth(data_dir: Path, archive: Archive, captures: list[ArchivedCapture],
                source: str) -> int:
    """Every comparison capture's page, as loaded, equals the replica's truth for its day;
    returns the number of captures checked."""
    firsts = first_copies(captures)
    con = connect(Path(data_dir) / "verdicts.duckdb")
    try:
        loaded = _rows(con, "SELECT capture_id, url, observed_at, source, payload_digest, "
                            "parse_status FROM internal.capture WHERE source = ? "
                            "AND parse_status <> 'error'", [source])
        by_key = {(r["url"], r["payload_digest"].removeprefix("sha1:")): r for r in loaded}
        assert set(by_key) == set(firsts), "captures loaded ≠ the first copy of each payload"
        for c in captures:
            if c.kind != CaptureKind.COMPARISON:
                continue
            row = by_key[(c.url, c.payload_digest)]
            assert row["parse_status"] == "ok"
            if firsts[(c.url, c.payload_digest)] is c:
                assert row["observed_at"] == c.captured_at
            _check_page(con, row["capture_id"], archive.expected(c))
    finally:
        con.close()
    return len(captures)


def _check_page(con: Any, cid: str, expected: dict[str, Any]) -> None:
    tools = _rows(con, "SELECT *, tool_slug AS slug FROM internal.tool_observation "
                       "WHERE capture_id = ? ORDER BY position", [cid])
    assert [{k: t[k] for k in TOOL_FIELDS} for t in tools] == [
        {k: t[k] for k in TOOL_FIELDS} for t in expected["tools"]]
    reviews = _rows(con, "SELECT * FROM internal.review_observation WHERE capture_id = ? "
                         "ORDER BY ordinal", [cid])
    assert [{k: r[k] for k in REVIEW_FIELDS} for r in reviews] == [
        {k: r[k] for k in REVIEW_FIELDS} for r in expected["reviews"]]


@pytest.fixture
def spec_for(tmp_path: Path) -> Callable[..., BackfillSpec]:
    """A BackfillSpec on a fresh data dir (keyword overrides)."""

    def make(**kwargs: Any) -> BackfillSpec:
        kwargs.setdefault("data_dir", str(tmp_path / "data"))
        kwargs.setdefault("politeness", FAST)
        return BackfillSpec(**kwargs)

    return make
