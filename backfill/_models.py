"""The backfill's vocabulary: where a capture comes from, what became of it, and why.

A :class:`Capture` is one CDX line (a memento an archive says it holds); a
:class:`Settled` is what the backfill did with it, as one line of the ledger
(:mod:`backfill._ledger`) and, for archived pages, the facts the warehouse load needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["Capture", "Outcome", "Reason", "Settled", "Source", "parse_timestamp"]


class Source(StrEnum):
    """The archive a capture comes from (also the warehouse's capture source)."""

    WAYBACK = "wayback"  # the Wayback Machine, or any Wayback-compatible CDX server
    COMMONCRAWL = "commoncrawl"


class Outcome(StrEnum):
    """What became of one capture."""

    ARCHIVED = "archived"  # a response record with the memento's payload
    REVISIT = "revisit"  # same payload digest as one already archived for the URL
    FAILED = "failed"  # see the reason; transient ones are retried by the next run
    SKIPPED = "skipped"  # never requested (see the reason)


class Reason(StrEnum):
    """Why a capture failed or was skipped."""

    DIGEST_MISMATCH = "digest_mismatch"  # the payload is not what the CDX line says
    NOT_COMPARISON_URL = "not_comparison_url"  # the URL is no /compare/<a>-vs-<b> page
    HTTP_ERROR = "http_error"  # the archive answered with an error status
    RETRIES_EXHAUSTED = "retries_exhausted"  # 429/5xx/network errors on every attempt
    RETRY_AFTER_TOO_LONG = "retry_after_too_long"  # asked to wait longer than the cap
    CONNECTION_ERROR = "connection_error"
    BODY_TOO_LARGE = "body_too_large"
    BAD_RECORD = "bad_record"  # a Common Crawl range that is no WARC response record
    BAD_REDIRECT = "bad_redirect"  # a redirect off the archive's host, or too many

    @property
    def final(self) -> bool:
        """True when trying again cannot help: the next run leaves the capture alone."""
        return self in (Reason.DIGEST_MISMATCH, Reason.NOT_COMPARISON_URL, Reason.BAD_RECORD)


def parse_timestamp(stamp: str) -> datetime:
    """A CDX timestamp (``yyyyMMddhhmmss``, shorter ones padded) as an aware UTC time."""
    digits = (stamp + "00000101000000"[len(stamp):])[:14] if len(stamp) < 14 else stamp[:14]
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Capture:
    """One memento a CDX server lists.

    `url` is the original page URL; `digest` the CDX payload digest as
    ``sha1:BASE32`` (None when the index gives none); `fetch_url` where the bytes are: the
    ``id_`` memento URL (Wayback) or the WARC file URL (Common Crawl, with `offset` and
    `length` of its record).
    """

    source: Source
    url: str
    timestamp: str
    digest: str | None
    status: int | None
    mime: str | None
    fetch_url: str
    filename: str | None = None
    offset: int | None = None
    length: int | None = None

    @property
    def captured_at(self) -> datetime:
        """When the archive captured the page (UTC)."""
        return parse_timestamp(self.timestamp)

    @property
    def ref(self) -> str:
        """The capture's name in its archive: the memento URL, or ``file:offset``."""
        if self.source == Source.COMMONCRAWL:
            return f"{self.filename}:{self.offset}"
        return self.fetch_url


@dataclass
class Settled:
    """What the backfill did with one capture: one ledger line.

    `key` is the capture's :attr:`Capture.ref`. For an archived or revisited capture,
    `warc_*` locate its record (`warc_path` relative to the data directory) and
    `payload_digest` is the digest of the payload as stored.
    """

    key: str
    source: Source
    url: str
    captured_at: datetime
    outcome: Outcome
    reason: Reason | None = None
    detail: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    payload_digest: str | None = None
    payload_bytes: int = 0
    warc_path: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_id: str | None = None

    @property
    def final(self) -> bool:
        """True when a later run must not try this capture again."""
        return self.reason is None or self.reason.final

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601)."""
        row = asdict(self)
        row["captured_at"] = self.captured_at.isoformat()
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Settled:
        """The inverse of :meth:`to_dict`."""
        fields = dict(row)
        fields["captured_at"] = datetime.fromisoformat(fields["captured_at"])
        fields["source"] = Source(fields["source"])
        fields["outcome"] = Outcome(fields["outcome"])
        fields["reason"] = Reason(fields["reason"]) if fields.get("reason") else None
        return cls(**fields)
