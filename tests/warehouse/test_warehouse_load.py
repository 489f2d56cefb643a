"""warehouse.load: bulk, idempotent loading of captures; the captures and reviews views."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive import payload_digest
from parsers import PARSER_VERSION, parse_comparison
from warehouse import CaptureRecord, LoadSummary, capture_id, connect, load_captures
from warehouse.history import refresh_analytics

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
TABLES = ("capture", "tool", "comparison", "tool_observation", "review_observation")


def record(
    page: dict[str, Any] | None,
    *,
    url: str | None = None,
    digest: str = "sha1:AAAA",
    observed_at: datetime = T0,
    error: str | None = None,
) -> CaptureRecord:
    return CaptureRecord(
        url=url,
        observed_at=observed_at,
        source="import",
        source_ref="test",
        http_status=None,
        content_type="text/plain",
        payload_digest=digest,
        payload_bytes=123,
        warc_path="archive/x.warc.gz",
        warc_offset=0,
        warc_length=10,
        warc_record_id="<urn:uuid:x>",
        parser_version=PARSER_VERSION,
        page=page,
        error=error,
    )


@pytest.fixture(scope="module")
def seed_record(seed_paths: list[Path]) -> Callable[..., CaptureRecord]:
    """seed_record('000', url=None, observed_at=T0) → a CaptureRecord of that parsed seed."""
    texts = {p.name[:3]: p.read_bytes() for p in seed_paths}

    def make(number: str, *, url: str | None = None, observed_at: datetime = T0) -> CaptureRecord:
        data = texts[number]
        page = parse_comparison(data, url=url, content_type="text/plain").to_dict()
        return record(page, url=url, digest=payload_digest(data), observed_at=observed_at)

    return make


def dump(con) -> dict[str, list[tuple]]:
    """Every row of every core table, sorted: equal dumps mean nothing changed."""
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def test_capture_id_is_stable_and_utc_normalised() -> None:
    cid = capture_id("https://x/compare/a-vs-b", T0, "sha1:AB")
    assert len(cid) == 40 and int(cid, 16) >= 0
    paris = T0.astimezone(timezone(timedelta(hours=2)))
    assert capture_id("https://x/compare/a-vs-b", paris, "sha1:AB") == cid
    assert capture_id(None, T0, "sha1:AB") == capture_id("", T0, "sha1:AB") != cid
    assert capture_id("https://x/compare/a-vs-b", T0 + timedelta(microseconds=1), "sha1:AB") != cid
    with pytest.raises(ValueError):
        capture_id("u", datetime(2025, 1, 1), "sha1:AB")  # naive


def test_record_validation() -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(record({}), source="web")
    with pytest.raises(ValueError):
        record({}, observed_at=datetime(2025, 1, 1))  # naive
    with pytest.raises(ValueError):
        record(None)  # neither page nor error


def test_connect_is_idempotent_and_read_only_works(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "verdicts.duckdb"
    connect(db).close()
    con = connect(db)  # schema files run again: no error
    load_captures(con, [record(None, error="boom")])
    con.close()
    ro = connect(db, read_only=True)
    assert ro.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    assert ro.execute("SELECT count(*) FROM captures").fetchone() == (1,)
    ro.close()


def test_load_is_idempotent(warehouse, seed_record) -> None:
    recs = [seed_record(n) for n in ("000", "001", "002", "003", "004")]
    first = load_captures(warehouse, recs)
    assert first == LoadSummary(
        captures_new=5, captures_existing=0, tools=10, reviews=first.reviews, failures=0
    )
    assert (
        first.reviews == warehouse.execute("SELECT count(*) FROM review_observation").fetchone()[0]
    )
    before = dump(warehouse)
    again = load_captures(warehouse, recs)
    assert again == LoadSummary(captures_existing=5)
    assert dump(warehouse) == before
    # a batch that repeats a capture loads it once
    dup = load_captures(warehouse, [seed_record("000", observed_at=T0 + timedelta(days=1))] * 2)
    assert (dup.captures_new, dup.captures_existing) == (1, 0)


def test_failed_parse_keeps_its_row(warehouse) -> None:
    summary = load_captures(warehouse, [record(None, error="no comparison title found")])
    assert summary == LoadSummary(captures_new=1, failures=1)
    row = warehouse.execute(
        "SELECT parse_status, parse_error, layout, title, tools_parsed, reviews_parsed "
        "FROM captures"
    ).fetchone()
    assert row == ("error", "no comparison title found", None, None, 0, 0)


def test_truncated_status_and_columns(warehouse, seed_record) -> None:
    rec = seed_record("002", url="https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-3-small")
    page = dict(rec.page or {}, truncated=True)
    trunc = record(page, url=rec.url, digest="sha1:TRUNC")
    load_captures(warehouse, [rec, trunc])
    rows = warehouse.execute(
        "SELECT payload_digest, parse_status, layout, title, url FROM capture ORDER BY 1"
    ).fetchall()
    assert sorted(r[1] for r in rows) == ["ok", "truncated"]
    assert {r[2] for r in rows} == {"full"}
    assert {r[3] for r in rows} == {"SmolVLM2 Turbo vs Mistral 3 Small"}
    assert warehouse.execute("SELECT slug FROM tool ORDER BY 1").fetchall() == [
        ("mistral-3-small",),
        ("smolvlm2-turbo",),
    ]
    assert warehouse.execute("SELECT * FROM comparison").fetchall() == [
        ("smolvlm2-turbo", "mistral-3-small")
    ]
    obs = warehouse.execute(
        "SELECT position, tool_slug, name, badge, panel_ship_pct, ship_votes, skip_votes "
        "FROM tool_observation WHERE capture_id = ? ORDER BY position",
        [rec.capture_id],
    ).fetchall()
    assert obs == [
        (1, "smolvlm2-turbo", "SmolVLM2 Turbo", "Ship", 100, 4, 0),
        (2, "mistral-3-small", "Mistral 3 Small", "Ship", 75, 3, 1),
    ]
    slugs = warehouse.execute(
        "SELECT DISTINCT tool_position, tool_slug FROM review_observation "
        "WHERE capture_id = ? ORDER BY 1",
        [rec.capture_id],
    ).fetchall()
    assert slugs == [(1, "smolvlm2-turbo"), (2, "mistral-3-small")]


def test_replace_rewrites_parsed_rows(warehouse, seed_record) -> None:
    rec = seed_record("002")
    load_captures(warehouse, [rec])
    page = dict(rec.page or {})
    page["tools"] = [dict(page["tools"][0], name="Renamed"), page["tools"][1]]
    page["reviews"] = page["reviews"][:3]
    changed = record(page, digest=rec.payload_digest)
    assert changed.capture_id == rec.capture_id
    assert load_captures(warehouse, [changed]) == LoadSummary(captures_existing=1)
    assert warehouse.execute("SELECT count(*) FROM review_observation").fetchone() == (8,)
    summary = load_captures(warehouse, [changed], replace=True)
    assert summary == LoadSummary(captures_existing=1, tools=2, reviews=3)
    assert warehouse.execute("SELECT count(*) FROM review_observation").fetchone() == (3,)
    assert warehouse.execute("SELECT name FROM tool_observation WHERE position = 1").fetchone() == (
        "Renamed",
    )
    # and back to a failure: the parsed rows go, the capture stays with its reason
    failed = record(None, digest=rec.payload_digest, error="bad")
    load_captures(warehouse, [failed], replace=True)
    assert warehouse.execute(
        "SELECT parse_status, parse_error, tools_parsed, reviews_parsed FROM captures"
    ).fetchone() == ("error", "bad", 0, 0)


class CountingConnection:
    """Wraps a DuckDB connection and records the statements sent through it."""

    def __init__(self, con) -> None:
        self._con = con
        self.statements: list[str] = []

    def execute(self, sql: str, *args: Any):
        self.statements.append(sql)
        return self._con.execute(sql, *args)

    def executemany(self, *args: Any):  # pragma: no cover - must not be used
        raise AssertionError("load_captures must not insert row by row")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_bulk_path_statement_count_does_not_grow(warehouse, seed_record) -> None:
    base = [seed_record(n) for n in ("000", "002")]

    def batch(n: int, start: int) -> list[CaptureRecord]:
        return [
            record(base[i % 2].page, digest=f"sha1:{start + i}", observed_at=T0) for i in range(n)
        ] + [record(None, digest=f"sha1:F{start}", error="x")]

    small = CountingConnection(warehouse)
    load_captures(small, batch(2, 0))
    big = CountingConnection(warehouse)
    summary = load_captures(big, batch(300, 1000))
    assert summary.captures_new == 301 and summary.tools == 600
    assert len(big.statements) == len(small.statements)
    inserts = [s for s in big.statements if "INSERT INTO" in s]
    assert inserts and all("SELECT" in s for s in inserts)  # INSERT … SELECT, no VALUES
    assert not any("VALUES" in s.upper() for s in big.statements)


def test_compact_reviews_take_scores_from_full_page_by_name(warehouse, seed_record) -> None:
    """Seeds have no URL: 000 (compact) gets scores from 002 (full) by the tool's name."""
    compact, full = seed_record("000"), seed_record("002", observed_at=T0 + timedelta(hours=1))
    load_captures(warehouse, [compact, full])
    refresh_analytics(warehouse)  # materialises the compact-score fill
    rows = warehouse.execute(
        "SELECT tool_position, tool_name, persona, score, verdict, score_source, "
        "matched_capture_id, quote FROM reviews WHERE capture_id = ? ORDER BY ordinal",
        [compact.capture_id],
    ).fetchall()
    full_rows = {r["quote"]: r for r in (full.page or {})["reviews"] if r["tool_position"] == 1}
    assert len(rows) == 8
    for pos, name, persona, score, verdict, source, matched, quote in rows:
        if pos == 1:  # SmolVLM2 Turbo is on both pages
            assert name == "SmolVLM2 Turbo"
            want = full_rows[quote]
            assert (persona, score, verdict) == (want["persona"], want["score"], want["verdict"])
            assert (source, matched) == ("matched", full.capture_id)
        else:  # Mistral Large 3 is only on the compact page
            assert (score, verdict, source, matched) == (None, None, None, None)
    page_rows = warehouse.execute(
        "SELECT DISTINCT score_source FROM reviews WHERE capture_id = ?", [full.capture_id]
    ).fetchall()
    assert page_rows == [("page",)]
    # every review_observation row appears once in the view
    assert (
        warehouse.execute("SELECT count(*) FROM reviews").fetchone()
        == warehouse.execute("SELECT count(*) FROM review_observation").fetchone()
    )


def test_compact_reviews_match_on_slug_when_urls_known(warehouse, seed_record) -> None:
    compact = seed_record(
        "000", url="https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-large-3"
    )
    full = seed_record(
        "002",
        url="https://shiporskip.io/compare/smolvlm2-turbo-vs-mistral-3-small",
        observed_at=T0 + timedelta(days=2),
    )
    # same name, another slug: names are not ids, so this must not match
    other = seed_record(
        "002",
        url="https://shiporskip.io/compare/smolvlm2-turbo-2-vs-mistral-3-small",
        observed_at=T0 - timedelta(days=9),
    )
    no_url = seed_record("002", observed_at=T0 + timedelta(minutes=1))
    load_captures(warehouse, [compact, full, other, no_url])
    refresh_analytics(warehouse)  # materialises the compact-score fill
    rows = warehouse.execute(
        "SELECT tool_slug, score_source, matched_capture_id FROM reviews "
        "WHERE capture_id = ? AND tool_position = 1",
        [compact.capture_id],
    ).fetchall()
    assert len(rows) == 4
    assert set(rows) == {("smolvlm2-turbo", "matched", full.capture_id)}


def test_closest_observation_wins_then_the_earlier(warehouse, seed_record) -> None:
    compact = seed_record("000", observed_at=T0)
    after = seed_record("002", observed_at=T0 + timedelta(days=1))

    def shifted(delta: int, digest: str, when: datetime) -> CaptureRecord:
        page = dict(after.page or {})
        page["reviews"] = [dict(r, score=r["score"] + delta) for r in page["reviews"]]
        return record(page, digest=digest, observed_at=when)

    far = shifted(-10, "sha1:FAR", T0 - timedelta(days=30))
    load_captures(warehouse, [compact, after, far])
    refresh_analytics(warehouse)  # materialises the compact-score fill

    def matched() -> list[tuple]:
        return warehouse.execute(
            "SELECT DISTINCT matched_capture_id FROM reviews "
            "WHERE capture_id = ? AND score_source = 'matched'",
            [compact.capture_id],
        ).fetchall()

    assert matched() == [(after.capture_id,)]
    before = shifted(-5, "sha1:BEFORE", T0 - timedelta(days=1))  # as close as `after`
    load_captures(warehouse, [before])
    refresh_analytics(warehouse)  # materialises the compact-score fill
    assert matched() == [(before.capture_id,)]
    scores = warehouse.execute(
        "SELECT r.score, f.score FROM reviews r JOIN review_observation f "
        "ON f.capture_id = r.matched_capture_id AND f.quote = r.quote "
        "WHERE r.capture_id = ? AND r.score_source = 'matched'",
        [compact.capture_id],
    ).fetchall()
    assert scores and all(a == b for a, b in scores)
