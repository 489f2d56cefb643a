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


def _tool_tuples(cid: str, observed_at: datetime,
                 page: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The tool_observation rows of one parsed page, as tuples in TOOL_OBS_SCHEMA's order."""
    rows = []
    slugs = page_slugs(page)
    for i, tool in enumerate(_tools(page)):
        pos = _tool_position(tool, i)
        get = tool.get
        rows.append((
            cid, pos, observed_at, slugs.get(pos),
            _str(get("name")), _str(get("category")), _str(get("tagline")),
            _str(get("badge")), _int(get("panel_ship_pct")), _int(get("community_pct")),
            _str(get("entry")), _str(get("description")), _str(get("panel_verdict")),
            _int(get("ship_votes")), _int(get("skip_votes")), _str(get("pricing")),
            _str(get("best_for")),
            # new keys of the parse contract: older dicts lack them (NULL)
            _int(get("community_ship_votes")), _int(get("community_votes")),
        ))
    return rows


def tool_rows(cid: str, observed_at: datetime, page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tool_observation rows of one parsed page."""
    names = TOOL_OBS_SCHEMA.names
    return [dict(zip(names, row, strict=True)) for row in _tool_tuples(cid, observed_at, page)]


def _review_tuples(cid: str, observed_at: datetime,
                   page: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The review_observation rows of one parsed page, as tuples in REVIEW_OBS_SCHEMA's
    order; tool_slug comes from the page's tool at the review's tool_position."""
    slugs = page_slugs(page)
    rows = []
    reviews = [r for r in page.get("reviews") or [] if isinstance(r, Mapping)]
    for i, review in enumerate(reviews):
        get = review.get
        pos = _int(get("tool_position"))
        rows.append((
            cid, _int(get("ordinal")) or i + 1, observed_at, pos,
            slugs.get(pos) if pos is not None else None,
            _str(get("persona")), bool(get("persona_inferred", False)),
            _int(get("score")), _str(get("verdict")), _str(get("quote")),
        ))
    return rows


def review_rows(cid: str, observed_at: datetime, page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The review_observation rows of one parsed page; tool_slug comes from the page's
    tool at the review's tool_position."""
    names = REVIEW_OBS_SCHEMA.names
    return [dict(zip(names, row, strict=True)) for row in _review_tuples(cid, observed_at, page)]


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


def _columns(rows: Iterable[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Tuples in `schema`'s column order → an Arrow table, built column by column (much
    cheaper per row than from dicts)."""
    cols = list(zip(*rows, strict=True)) or [()] * len(schema)
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(cols, schema, strict=True)],
        schema=schema)


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
        tool_observation=_columns(
            itertools.chain.from_iterable(_tool_tuples(*p) for p in parsed), TOOL_OBS_SCHEMA
        ),
        review_observation=_columns(
            itertools.chain.from_iterable(_review_tuples(*p) for p in parsed),
            REVIEW_OBS_SCHEMA,
        ),
        comparison=_table(
            ({"tool_a_slug": a, "tool_b_slug": b} for a, b in sorted(pairs)), COMPARISON_SCHEMA
        ),
    )
