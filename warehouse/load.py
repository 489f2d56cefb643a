"""Loading captures into the warehouse: bulk, in one transaction, idempotent.

A caller (the crawler, `verdicts import`, `verdicts reparse`) hands over
:class:`CaptureRecord` objects: where a payload was archived, and the parser's
``Comparison.to_dict()`` for it (or the reason the parse failed). :func:`load_captures`
turns a whole batch into Arrow tables and moves each into its table with one
``INSERT … SELECT`` — never row by row — so loading stays fast at any batch size.

The warehouse never imports ``parsers`` or ``flows``: it takes the parser's dicts.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

__all__ = ["CaptureRecord", "LoadSummary", "capture_id", "load_captures"]

SOURCES = ("crawl", "import")


def _utc_iso(observed_at: datetime) -> str:
    if observed_at.tzinfo is None or observed_at.utcoffset() is None:
        raise ValueError(f"observed_at must be timezone-aware, got {observed_at!r}")
    return observed_at.astimezone(UTC).isoformat(timespec="microseconds")


def capture_id(url: str | None, observed_at: datetime, payload_digest: str) -> str:
    """The id of one capture: SHA-1 hex of ``url | observed_at (UTC, µs) | payload_digest``.

    `url` is the source URL known before parsing ('' when there is none). The same
    inputs always give the same id, which is what makes every load idempotent.
    """
    key = "|".join((url or "", _utc_iso(observed_at), payload_digest))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CaptureRecord:
    """One archived payload and what the parser made of it, ready to load.

    `url` is the source URL (crawl URL, --url, WARC-Target-URI) and enters the
    capture id; `page` is ``Comparison.to_dict()`` or None when `error` says why the
    parse failed. `warc_path` is relative to the data directory.
    """

    url: str | None
    observed_at: datetime
    source: str
    source_ref: str | None
    http_status: int | None
    content_type: str | None
    payload_digest: str
    payload_bytes: int
    warc_path: str | None
    warc_offset: int | None
    warc_length: int | None
    warc_record_id: str | None
    parser_version: str
    page: dict[str, Any] | None
    error: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")
        _utc_iso(self.observed_at)  # raises on a naive datetime
        object.__setattr__(self, "observed_at", self.observed_at.astimezone(UTC))
        if self.page is None and self.error is None:
            raise ValueError("a CaptureRecord needs a parsed page or an error")

    @property
    def capture_id(self) -> str:
        """This record's :func:`capture_id`."""
        return capture_id(self.url, self.observed_at, self.payload_digest)

    @property
    def parse_status(self) -> str:
        """'error' when the parse failed, 'truncated' for a partial page, else 'ok'."""
        if self.error is not None:
            return "error"
        if self.page and self.page.get("truncated"):
            return "truncated"
        return "ok"


@dataclass(frozen=True)
class LoadSummary:
    """What one :func:`load_captures` call did.

    captures_new: captures inserted; captures_existing: captures already present
    (left alone, or re-parsed with replace=True); tools / reviews: tool_observation /
    review_observation rows written; failures: captures written with parse_status 'error'.
    """

    captures_new: int = 0
    captures_existing: int = 0
    tools: int = 0
    reviews: int = 0
    failures: int = 0

    def __add__(self, other: LoadSummary) -> LoadSummary:
        return LoadSummary(
            self.captures_new + other.captures_new,
            self.captures_existing + other.captures_existing,
            self.tools + other.tools,
            self.reviews + other.reviews,
            self.failures + other.failures,
        )


# -- Arrow schemas: one per target table (columns in insert order) ----------------------

_TS = pa.timestamp("us", tz="UTC")

CAPTURE_SCHEMA = pa.schema(
    [
        ("capture_id", pa.string()),
        ("url", pa.string()),
        ("observed_at", _TS),
        ("source", pa.string()),
        ("source_ref", pa.string()),
        ("http_status", pa.int32()),
        ("content_type", pa.string()),
        ("payload_digest", pa.string()),
        ("payload_bytes", pa.int64()),
        ("warc_path", pa.string()),
        ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
        ("warc_record_id", pa.string()),
        ("parser_version", pa.string()),
        ("parse_status", pa.string()),
        ("parse_error", pa.string()),
        ("layout", pa.string()),
        ("title", pa.string()),
    ]
)

TOOL_OBS_SCHEMA = pa.schema(
    [
        ("capture_id", pa.string()),
        ("position", pa.int8()),
        ("observed_at", _TS),
        ("tool_slug", pa.string()),
        ("name", pa.string()),
        ("category", pa.string()),
        ("tagline", pa.string()),
        ("badge", pa.string()),
        ("panel_ship_pct", pa.int32()),
        ("community_pct", pa.int32()),
        ("entry", pa.string()),
        ("description", pa.string()),
        ("panel_verdict", pa.string()),
        ("ship_votes", pa.int32()),
        ("skip_votes", pa.int32()),
        ("pricing", pa.string()),
        ("best_for", pa.string()),
    ]
)

REVIEW_OBS_SCHEMA = pa.schema(
    [
        ("capture_id", pa.string()),
        ("ordinal", pa.int16()),
        ("observed_at", _TS),
        ("tool_position", pa.int8()),
        ("tool_slug", pa.string()),
        ("persona", pa.string()),
        ("persona_inferred", pa.bool_()),
        ("score", pa.int32()),
        ("verdict", pa.string()),
        ("quote", pa.string()),
    ]
)

COMPARISON_SCHEMA = pa.schema([("tool_a_slug", pa.string()), ("tool_b_slug", pa.string())])


# -- page dict -> rows ---------------------------------------------------------------


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _tools(page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    tools = page.get("tools") or []
    return [t for t in tools if isinstance(t, Mapping)]


def _tool_position(tool: Mapping[str, Any], index: int) -> int:
    return _int(tool.get("position")) or index + 1


def page_slugs(page: Mapping[str, Any]) -> dict[int, str | None]:
    """Tool slug by position (1 = left, 2 = right) as the page's URL gives them."""
    slugs: dict[int, str | None] = {}
    for i, tool in enumerate(_tools(page)):
        slugs[_tool_position(tool, i)] = _str(tool.get("slug"))
    for pos, key in ((1, "tool_a_slug"), (2, "tool_b_slug")):
        if slugs.get(pos) is None and page.get(key) is not None:
            slugs[pos] = _str(page.get(key))
    return slugs


def tool_rows(cid: str, observed_at: datetime, page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tool_observation rows of one parsed page."""
    rows = []
    slugs = page_slugs(page)
    for i, tool in enumerate(_tools(page)):
        pos = _tool_position(tool, i)
        rows.append(
            {
                "capture_id": cid,
                "position": pos,
                "observed_at": observed_at,
                "tool_slug": slugs.get(pos),
                "name": _str(tool.get("name")),
                "category": _str(tool.get("category")),
                "tagline": _str(tool.get("tagline")),
                "badge": _str(tool.get("badge")),
                "panel_ship_pct": _int(tool.get("panel_ship_pct")),
                "community_pct": _int(tool.get("community_pct")),
                "entry": _str(tool.get("entry")),
                "description": _str(tool.get("description")),
                "panel_verdict": _str(tool.get("panel_verdict")),
                "ship_votes": _int(tool.get("ship_votes")),
                "skip_votes": _int(tool.get("skip_votes")),
                "pricing": _str(tool.get("pricing")),
                "best_for": _str(tool.get("best_for")),
            }
        )
    return rows


def review_rows(cid: str, observed_at: datetime, page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The review_observation rows of one parsed page; tool_slug comes from the page's
    tool at the review's tool_position."""
    slugs = page_slugs(page)
    rows = []
    reviews = [r for r in page.get("reviews") or [] if isinstance(r, Mapping)]
    for i, review in enumerate(reviews):
        pos = _int(review.get("tool_position"))
        rows.append(
            {
                "capture_id": cid,
                "ordinal": _int(review.get("ordinal")) or i + 1,
                "observed_at": observed_at,
                "tool_position": pos,
                "tool_slug": slugs.get(pos) if pos is not None else None,
                "persona": _str(review.get("persona")),
                "persona_inferred": bool(review.get("persona_inferred", False)),
                "score": _int(review.get("score")),
                "verdict": _str(review.get("verdict")),
                "quote": _str(review.get("quote")),
            }
        )
    return rows


def _capture_row(rec: CaptureRecord, cid: str) -> dict[str, Any]:
    page = rec.page or {}
    return {
        "capture_id": cid,
        "url": rec.url if rec.url is not None else _str(page.get("url")),
        "observed_at": rec.observed_at,
        "source": rec.source,
        "source_ref": rec.source_ref,
        "http_status": rec.http_status,
        "content_type": rec.content_type,
        "payload_digest": rec.payload_digest,
        "payload_bytes": rec.payload_bytes,
        "warc_path": rec.warc_path,
        "warc_offset": rec.warc_offset,
        "warc_length": rec.warc_length,
        "warc_record_id": rec.warc_record_id,
        "parser_version": rec.parser_version,
        "parse_status": rec.parse_status,
        "parse_error": rec.error,
        "layout": _str(page.get("layout")) if rec.error is None else None,
        "title": _str(page.get("title")) if rec.error is None else None,
    }


def _table(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=schema)


# -- loading ----------------------------------------------------------------------------


@dataclass
class _Registered:
    """Arrow tables registered on a connection for the length of one load."""

    con: duckdb.DuckDBPyConnection
    names: list[str] = field(default_factory=list)

    def add(self, name: str, table: pa.Table) -> str:
        self.con.register(name, table)
        self.names.append(name)
        return name

    def drop(self) -> None:
        for name in self.names:
            self.con.unregister(name)
        self.names.clear()


def _columns(schema: pa.Schema) -> str:
    return ", ".join(schema.names)


def load_captures(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[CaptureRecord],
    *,
    replace: bool = False,
) -> LoadSummary:
    """Load a batch of captures and their parsed rows in one transaction.

    Idempotent: a capture whose id is already in the warehouse changes nothing (its
    record is counted in ``captures_existing``). With ``replace=True`` (reparse), the
    parse of existing captures is rewritten instead: their parse columns are updated and
    their tool/review observations replaced. Within a batch the first record of an id wins.
    All inserts are ``INSERT … SELECT`` from registered Arrow tables.
    """
    unique: dict[str, CaptureRecord] = {}
    for rec in records:
        unique.setdefault(rec.capture_id, rec)
    if not unique:
        return LoadSummary()

    reg = _Registered(con)
    con.execute("BEGIN TRANSACTION")
    try:
        ids = reg.add("_va_load_ids", pa.table({"capture_id": pa.array(list(unique), pa.string())}))
        existing = {
            row[0]
            for row in con.execute(
                f"SELECT capture_id FROM capture WHERE capture_id IN (SELECT capture_id FROM {ids})"
            ).fetchall()
        }
        targets = {cid: rec for cid, rec in unique.items() if replace or cid not in existing}
        new_ids = [cid for cid in targets if cid not in existing]
        replaced_ids = [cid for cid in targets if cid in existing]

        captures = reg.add(
            "_va_load_capture",
            _table((_capture_row(rec, cid) for cid, rec in targets.items()), CAPTURE_SCHEMA),
        )
        parsed = [(cid, rec) for cid, rec in targets.items() if rec.error is None and rec.page]
        tools_tbl = _table(
            itertools.chain.from_iterable(
                tool_rows(cid, rec.observed_at, rec.page or {}) for cid, rec in parsed
            ),
            TOOL_OBS_SCHEMA,
        )
        reviews_tbl = _table(
            itertools.chain.from_iterable(
                review_rows(cid, rec.observed_at, rec.page or {}) for cid, rec in parsed
            ),
            REVIEW_OBS_SCHEMA,
        )
        pairs = {
            (slugs[1], slugs[2])
            for slugs in (page_slugs(rec.page or {}) for _, rec in parsed)
            if slugs.get(1) and slugs.get(2)
        }
        tools = reg.add("_va_load_tool_obs", tools_tbl)
        reviews = reg.add("_va_load_review_obs", reviews_tbl)
        comparisons = reg.add(
            "_va_load_comparison",
            _table(
                ({"tool_a_slug": a, "tool_b_slug": b} for a, b in sorted(pairs)), COMPARISON_SCHEMA
            ),
        )

        cap_cols = _columns(CAPTURE_SCHEMA)
        if replaced_ids:
            con.execute(
                f"""
                UPDATE capture SET
                    url = n.url, parser_version = n.parser_version,
                    parse_status = n.parse_status, parse_error = n.parse_error,
                    layout = n.layout, title = n.title
                FROM {captures} n
                WHERE capture.capture_id = n.capture_id
                """
            )
            for table in ("tool_observation", "review_observation"):
                con.execute(
                    f"DELETE FROM {table} WHERE capture_id IN (SELECT capture_id FROM {ids})"
                )
        if new_ids:
            con.execute(
                f"""
                INSERT INTO capture ({cap_cols})
                SELECT {cap_cols} FROM {captures}
                WHERE capture_id NOT IN (SELECT capture_id FROM capture)
                """
            )
        con.execute(
            f"""
            INSERT INTO tool (slug)
            SELECT DISTINCT tool_slug FROM {tools} WHERE tool_slug IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )
        con.execute(
            f"INSERT INTO comparison SELECT tool_a_slug, tool_b_slug FROM {comparisons} "
            "ON CONFLICT DO NOTHING"
        )
        con.execute(
            f"INSERT INTO tool_observation ({_columns(TOOL_OBS_SCHEMA)}) "
            f"SELECT {_columns(TOOL_OBS_SCHEMA)} FROM {tools}"
        )
        con.execute(
            f"INSERT INTO review_observation ({_columns(REVIEW_OBS_SCHEMA)}) "
            f"SELECT {_columns(REVIEW_OBS_SCHEMA)} FROM {reviews}"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        reg.drop()

    return LoadSummary(
        captures_new=len(new_ids),
        captures_existing=len(existing),
        tools=tools_tbl.num_rows,
        reviews=reviews_tbl.num_rows,
        failures=sum(1 for rec in targets.values() if rec.error is not None),
    )


def existing_captures(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str | None]:
    """capture_id → parse_error, for those of `ids` already in the warehouse (one query)."""
    if not ids:
        return {}
    rows = con.execute(
        "SELECT capture_id, parse_error FROM capture WHERE capture_id IN (SELECT unnest(?))",
        [ids],
    ).fetchall()
    return {cid: err for cid, err in rows}
