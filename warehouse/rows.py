"""Page dicts and capture records → table rows, as Arrow tables ready for one bulk insert.

The parser's ``Comparison.to_dict()`` becomes tool_observation and review_observation
rows; each :class:`CaptureRecord` a capture row; each page's tool pair a comparison row.
Values the parser left out or could not read become NULL, never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from warehouse.records import CaptureRecord

__all__ = [
    "CAPTURE_SCHEMA",
    "COMPARISON_SCHEMA",
    "REVIEW_OBS_SCHEMA",
    "TOOL_OBS_SCHEMA",
    "LoadTables",
    "capture_row",
    "load_tables",
    "page_slugs",
    "review_rows",
    "tool_rows",
]

# -- Arrow schemas: one per target table ------------------------------------------------

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
        ("community_ship_votes", pa.int32()),
        ("community_votes", pa.int32()),
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
                # new keys of the parse contract: older dicts lack them (NULL)
                "community_ship_votes": _int(tool.get("community_ship_votes")),
                "community_votes": _int(tool.get("community_votes")),
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


def capture_row(rec: CaptureRecord, cid: str) -> dict[str, Any]:
    """The capture row of one record (parse columns empty when the parse failed)."""
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


@dataclass(frozen=True)
class LoadTables:
    """The Arrow tables one load inserts from."""

    capture: pa.Table
    tool_observation: pa.Table
    review_observation: pa.Table
    comparison: pa.Table


def load_tables(targets: Mapping[str, CaptureRecord]) -> LoadTables:
    """The rows of every record in `targets` (capture_id → record); parsed pages also give
    their tool and review observations and their (tool_a, tool_b) pair."""
    parsed = [
        (cid, rec.observed_at, rec.page)
        for cid, rec in targets.items()
        if rec.error is None and rec.page
    ]
    pairs = {
        (slugs[1], slugs[2])
        for slugs in (page_slugs(page) for _, _, page in parsed)
        if slugs.get(1) and slugs.get(2)
    }
    return LoadTables(
        capture=_table((capture_row(rec, cid) for cid, rec in targets.items()), CAPTURE_SCHEMA),
        tool_observation=_table(
            itertools.chain.from_iterable(tool_rows(*p) for p in parsed), TOOL_OBS_SCHEMA
        ),
        review_observation=_table(
            itertools.chain.from_iterable(review_rows(*p) for p in parsed), REVIEW_OBS_SCHEMA
        ),
        comparison=_table(
            ({"tool_a_slug": a, "tool_b_slug": b} for a, b in sorted(pairs)), COMPARISON_SCHEMA
        ),
    )
