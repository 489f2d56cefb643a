"""What a loader hands the warehouse: :class:`CaptureRecord`, and the one :func:`capture_id`.

A caller (the crawler, `verdicts import`, `verdicts reparse`) describes each archived
payload and the parser's ``Comparison.to_dict()`` for it (or why the parse failed);
:mod:`warehouse.load` loads a batch of them and says what it did in a :class:`LoadSummary`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["RUN_STAMP", "SOURCES", "CaptureRecord", "GoneOutcome", "LoadSummary", "PageGone",
           "capture_id", "run_observed_at"]

#: Where a capture came from: our crawl, an imported file, or a backfill from a public web
#: archive (the Wayback Machine or a Wayback-compatible CDX server; Common Crawl).
SOURCES = ("crawl", "import", "wayback", "commoncrawl")


#: How a crawl run id starts: its observed_at, to the second (``<stamp>-<8 hex>``). A run's
#: observed_at is whole seconds (simulated nights are given so), so the id alone dates it.
RUN_STAMP = "%Y%m%dT%H%M%SZ"


def run_observed_at(run_id: str) -> datetime:
    """The observed_at a crawl run id was made from (ValueError if it is not one)."""
    return datetime.strptime(run_id.split("-", 1)[0], RUN_STAMP).replace(tzinfo=UTC)


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


class GoneOutcome(StrEnum):
    """How a crawl found a page gone (page_gone.outcome, as crawl_fetch.outcome says it)."""

    GONE = "gone"  # 404 / 410
    FAILED = "failed"  # out of the sitemap and failing


@dataclass(frozen=True)
class PageGone:
    """One crawl run's evidence that a comparison page is gone (a page_gone row):
    `observed_at` is the run's night."""

    url: str
    run_id: str
    observed_at: datetime
    outcome: GoneOutcome
