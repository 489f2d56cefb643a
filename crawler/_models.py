"""The crawl's vocabulary: fetch kinds, outcomes, reasons, and the fetch outcome row.

Every URL a run discovers or plans ends as one :class:`FetchRow` (a row of `crawl_fetch`,
warehouse/sql/020_crawl.sql). The enums are `StrEnum`s, so a member *is* its string: it
goes to JSON, to the journal and to DuckDB as it is, and compares equal to the text read
back from them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class FetchKind(StrEnum):
    """What a fetched URL is to the crawl."""

    PAGE = "page"  # a comparison page
    ROBOTS = "robots"  # robots.txt
    SITEMAP = "sitemap"  # a sitemap index or urlset
    START = "start"  # the start page of a links-mode crawl (no sitemap)


class Outcome(StrEnum):
    """How a URL's turn in a run ended."""

    FETCHED = "fetched"  # a response with the page
    NOT_MODIFIED = "not_modified"  # 304 to a conditional GET
    GONE = "gone"  # 404 / 410
    FAILED = "failed"  # `reason` says why; retried by the next run
    DISALLOWED = "disallowed"  # robots.txt: never requested
    OUT_OF_SCOPE = "out_of_scope"  # not a comparison page / not the target host
    SKIPPED = "skipped"  # not requested tonight (`reason`: unchanged, max_pages, host_down)


class Change(StrEnum):
    """For a fetched page: how its payload compares with the previous capture."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class Reason(StrEnum):
    """Why a URL failed, was skipped, disallowed or out of scope.

    HTTP statuses without a member of their own read `http_<status>`: see :func:`http_reason`.
    """

    # transport
    TIMEOUT = "timeout"
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    CONNECTION_RESET = "connection_reset"
    TOO_LARGE = "too_large"
    TRUNCATED_BODY = "truncated_body"
    BAD_CONTENT_ENCODING = "bad_content_encoding"
    HOST_DOWN = "host_down"  # the host's circuit breaker is open: not requested (again) tonight
    # HTTP
    HTTP_429 = "http_429"
    HTTP_5XX = "http_5xx"
    UNEXPECTED_304 = "unexpected_304"
    BAD_CONTENT_TYPE = "bad_content_type"
    # redirects and scope
    BAD_REDIRECT = "bad_redirect"
    REDIRECT_LOOP = "redirect_loop"
    OUT_OF_SCOPE = "out_of_scope"
    PRIVATE_ADDRESS = "private_address"
    NOT_A_COMPARISON_PAGE = "not_a_comparison_page"
    REDIRECT_OFFSITE = "redirect_offsite"
    REDIRECT_PRIVATE = "redirect_private"
    REDIRECT_NOT_COMPARISON = "redirect_not_comparison"
    # robots.txt
    ROBOTS = "robots"
    ROBOTS_REDIRECT = "robots_redirect"
    # sitemaps
    BAD_GZIP = "bad_gzip"
    BAD_SITEMAP = "bad_sitemap"
    SITEMAP_TOO_DEEP = "sitemap_too_deep"
    # planning
    UNCHANGED = "unchanged"
    MAX_PAGES = "max_pages"


class Why(StrEnum):
    """Why the plan requests a page tonight (`PlanItem.why`), in priority order: when
    max_pages cuts the list, the earlier reasons are served first."""

    RETRY = "retry"  # the last fetch failed
    NEW = "new"  # never fetched successfully
    LASTMOD_CHANGED = "lastmod_changed"  # the sitemap's <lastmod> moved
    REAPPEARED = "reappeared"  # was gone, disallowed or out of scope
    NO_LASTMOD = "no_lastmod"  # nothing to go by (no <lastmod>, or links mode)
    LEFT_SITEMAP = "left_sitemap"  # just left the sitemap: is it gone?
    RECHECK = "recheck"  # unchanged lastmod, but last verified K days ago
    LINK = "link"  # found by following links (links mode)


def http_reason(status: int) -> str:
    """The reason for an HTTP status that failed a fetch: `http_<status>`."""
    return f"http_{status}"


@dataclass
class FetchRow:
    """One row of `crawl_fetch`: the outcome of one URL in one run.

    Built by the flows from a fetch result (or by the plan for URLs not requested), appended
    to the run's journal, then loaded into the warehouse. Field order and names are the
    table's columns.
    """

    run_id: str
    url: str
    kind: str
    outcome: str
    reason: str | None = None
    http_status: int | None = None
    attempts: int = 0
    requests: int = 0
    bytes_received: int = 0
    elapsed_ms: float | None = None
    fetched_at: datetime | None = None
    final_url: str | None = None
    conditional: bool = False
    etag: str | None = None
    last_modified: str | None = None
    sitemap_lastmod: datetime | None = None
    in_sitemap: bool | None = None
    change: str | None = None
    payload_digest: str | None = None
    capture_id: str | None = None
    warc_path: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_id: str | None = None
    warc_record_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as a plain dict (column → value), for the journal and the warehouse."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FetchRow:
        """A row read back from the journal or the warehouse (unknown keys are an error)."""
        return cls(**data)


#: The columns of `crawl_fetch`, in table order.
FETCH_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(FetchRow))
