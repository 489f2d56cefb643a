"""One page payload on its way from the archive to the warehouse, and its parse.

A :class:`Payload` is made once — from a fetch just archived, a record read back from a
WARC (:meth:`Payload.from_archived`), or an input file — and becomes the warehouse's
CaptureRecord in one call (:meth:`Payload.to_record`). :func:`parse_batch` is what the
parse workers run (the crawl's worker processes preload this module).

The parse budget: one page may not stall a night. A page over :data:`MAX_PAGE_BYTES`
(the crawler's own body cap) or whose markup nests too deeply to build in about a second
(``parsers.nesting``: Lexbor's cost is quadratic in nesting depth, in C code no Python
timer can interrupt) is recorded as a parse error with that reason, and the batch goes
on; below those bounds the parser's work is linear in the page's size. The budget is
counted in bytes and tree-building steps, not seconds, so the same page gets the same
record on a busy machine and on a reparse; a wall-clock limit would need a process per
page, and would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from archive import ArchivedPayload, ArchivedRecord
from parsers import MAX_PAGE_BYTES
from warehouse import CaptureRecord, capture_id

__all__ = [
    "MAX_PAGE_BYTES",
    "Payload",
    "ParsedPayload",
    "parse_batch",
    "parse_payload",
    "parser_version",
]

#: CaptureRecord.source of pages the crawl fetched, and of everything else.
CRAWL = "crawl"
IMPORT = "import"


@dataclass(frozen=True)
class Payload:
    """One page's bytes, with where and when it was seen and where the archive keeps it.

    `payload` is what the parser reads (Content-Encoding undone); `payload_digest` covers
    the bytes as stored (`payload_bytes` of them). `warc_*` locate the archived record
    (`warc_path` relative to the data directory), None until it is archived. `input`,
    `label`, `raw_payload`, `http_headers` and `record_type` serve `verdicts parse` /
    `verdicts import`: the input as given, its name in messages, and what a copy of the
    record into the import WARC keeps.
    """

    url: str | None  # source URL: the crawl URL, --url or WARC-Target-URI
    observed_at: datetime  # aware
    content_type: str  # 'text/html', 'text/plain', …
    payload: bytes
    payload_digest: str
    payload_bytes: int
    source: str = IMPORT
    source_ref: str | None = None
    http_status: int | None = None
    warc_path: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_id: str | None = None
    input: str = ""
    label: str = ""
    raw_payload: bytes = field(default=b"", repr=False)
    http_headers: list[tuple[str, str]] = field(default_factory=list)
    record_type: str | None = None  # WARC record type ('response', 'resource', …)

    @property
    def capture_id(self) -> str:
        """The warehouse id this payload's capture gets."""
        return capture_id(self.url, self.observed_at, self.payload_digest)

    @classmethod
    def from_archived(
        cls,
        p: ArchivedPayload,
        *,
        source: str,
        source_ref: str | None,
        warc_path: str | None = None,
        url: str | None = None,
        observed_at: datetime | None = None,
        input: str = "",  # noqa: A002 - the field's name
        label: str = "",
        keep_raw: bool = False,
    ) -> Payload:
        """A payload read back from a WARC.

        `warc_path` (relative to the data directory) when the record is in the archive:
        the payload is located there; None for a WARC given as input. `url` and
        `observed_at` override the record's WARC-Target-URI and WARC-Date; `keep_raw`
        keeps the stored bytes and HTTP headers (for a copy into another WARC).
        """
        located = warc_path is not None
        return cls(
            url=url if url is not None else p.url,
            observed_at=observed_at or p.date,
            content_type=p.content_type or "text/html",
            payload=p.payload,
            payload_digest=p.payload_digest,
            payload_bytes=len(p.raw_payload),
            source=source,
            source_ref=source_ref,
            http_status=p.http_status,
            warc_path=warc_path,
            warc_offset=p.offset if located else None,
            warc_length=p.length if located else None,
            warc_record_id=p.record_id if located else None,
            input=input,
            label=label,
            raw_payload=p.raw_payload if keep_raw else b"",
            http_headers=list(p.http_headers) if keep_raw else [],
            record_type=p.record_type,
        )

    def archived_at(self, record: ArchivedRecord, warc_path: str) -> Payload:
        """This payload, located at the record it was just archived as (`warc_path`
        relative to the data directory)."""
        return replace(self, warc_path=warc_path, warc_offset=record.offset,
                       warc_length=record.length, warc_record_id=record.record_id)

    def to_record(self, parsed: ParsedPayload, parser_version: str) -> CaptureRecord:
        """The warehouse row of this payload and what the parser made of it."""
        return CaptureRecord(
            url=self.url, observed_at=self.observed_at, source=self.source,
            source_ref=self.source_ref, http_status=self.http_status,
            content_type=self.content_type, payload_digest=self.payload_digest,
            payload_bytes=self.payload_bytes, warc_path=self.warc_path,
            warc_offset=self.warc_offset, warc_length=self.warc_length,
            warc_record_id=self.warc_record_id, parser_version=parser_version,
            page=parsed.page, error=parsed.error,
        )


@dataclass(frozen=True)
class ParsedPayload:
    """The parser's result for one payload: the page dict, or the one-line reason."""

    page: dict[str, Any] | None
    error: str | None


def one_line(text: object) -> str:
    """`text` on one line (whitespace runs collapsed); 'unknown error' when empty."""
    return " ".join(str(text).split()) or "unknown error"


def parse_payload(item: Payload) -> ParsedPayload:
    """Parse one payload with the comparison parser; never raises for a bad page.

    A page over the parse budget (see the module docstring) or a ParseError gives its
    one-line reason; any other exception (a parser bug) is reported as such, so one odd
    page cannot stop a batch.
    """
    from parsers import ParseError, parse_comparison

    size = len(item.payload)
    if size > MAX_PAGE_BYTES:
        return ParsedPayload(
            None,
            f"page too large to parse: {size:,} bytes, over the {MAX_PAGE_BYTES:,}-byte budget",
        )
    try:
        comparison = parse_comparison(item.payload, url=item.url, content_type=item.content_type)
        return ParsedPayload(comparison.to_dict(), None)
    except ParseError as exc:
        return ParsedPayload(None, one_line(exc))
    except Exception as exc:  # noqa: BLE001 - reported per page, batch continues
        return ParsedPayload(None, f"parser failed: {type(exc).__name__}: {one_line(exc)}")


def parse_batch(items: Sequence[Payload], parser_version: str) -> list[CaptureRecord]:
    """Parse payloads into CaptureRecords (a bad page becomes an error record)."""
    return [item.to_record(parse_payload(item), parser_version) for item in items]


def parser_version() -> str:
    """The parser's PARSER_VERSION (recorded with every capture)."""
    from parsers import PARSER_VERSION

    return str(PARSER_VERSION)
