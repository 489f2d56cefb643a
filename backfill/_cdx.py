"""CDX queries: which captures of the site's comparison pages an archive holds.

Two dialects, both plain GETs (:class:`backfill._http.ArchiveClient`):

* **Wayback** (web.archive.org's CDX server, or any Wayback-compatible one: pywb, a
  national library): ``?url=<host>/compare/*&output=json&filter=statuscode:200&
  collapse=digest&from=…&to=…``, paged with ``showResumeKey``/``resumeKey``; mementos are
  fetched as ``<prefix><timestamp>id_/<url>`` (the raw payload, no rewriting).
* **Common Crawl**: one index per named crawl (``<index>/<crawl>-index``, same query with
  ``filter=status:200``), paged with ``showNumPages``/``page``; each line names a WARC
  file, offset and length under the data prefix.

Answers come as a JSON array of arrays with a header row (web.archive.org) or as one JSON
object per line (pywb, Common Crawl); :func:`parse_cdx` reads both.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from backfill._http import ArchiveClient, FetchFailed
from backfill._models import Capture, Reason, Source

__all__ = ["CdxQuery", "cc_crawls", "list_captures", "memento_prefix", "normalize_digest",
           "parse_cdx", "site_pattern"]

#: Lines asked for per Wayback CDX page.
PAGE_LIMIT = 5000
_FIELD_ALIASES = {"original": "url", "statuscode": "status", "mimetype": "mime"}


def site_pattern(site: str) -> str:
    """The CDX url pattern of the site's comparison pages: ``<host[:port]>/compare/*``."""
    parts = urlsplit(site if "//" in site else f"https://{site}")
    if not parts.netloc:
        raise ValueError(f"not a site URL: {site!r}")
    return f"{parts.netloc}/compare/*"


def memento_prefix(cdx_url: str) -> str:
    """Where a Wayback-compatible server serves mementos, from its CDX endpoint:
    ``…/cdx/search/cdx`` → ``…/web/`` (web.archive.org), ``…/<coll>/cdx`` →
    ``…/<coll>/`` (pywb). ValueError for any other endpoint."""
    parts = urlsplit(cdx_url)
    path = parts.path
    if path.endswith("/cdx/search/cdx"):
        path = path[: -len("cdx/search/cdx")] + "web/"
    elif path.endswith("/cdx"):
        path = path[: -len("cdx")]
    else:
        raise ValueError(f"not a Wayback CDX endpoint (…/cdx/search/cdx or …/<coll>/cdx): "
                         f"{cdx_url}")
    return f"{parts.scheme}://{parts.netloc}{path}"


def normalize_digest(value: object) -> str | None:
    """A CDX digest as ``sha1:BASE32`` (hex digests converted); None for '-' or none."""
    text = str(value or "").strip()
    if not text or text == "-":
        return None
    if ":" in text:
        algo, _, rest = text.partition(":")
        return f"{algo.lower()}:{rest.upper()}"
    if len(text) == 40 and all(c in "0123456789abcdefABCDEF" for c in text):
        text = base64.b32encode(bytes.fromhex(text)).decode("ascii")
    return f"sha1:{text.upper()}"


@dataclass(frozen=True)
class CdxQuery:
    """One listing: an endpoint, the site's pattern and the time window (days, inclusive)."""

    endpoint: str
    source: Source
    pattern: str
    since: date | None = None
    until: date | None = None
    memento_prefix: str = ""  # Wayback: where mementos are
    data_prefix: str = ""  # Common Crawl: where the WARC files are

    def params(self) -> dict[str, str]:
        """The query string's parameters (without paging)."""
        status = "statuscode" if self.source == Source.WAYBACK else "status"
        params = {"url": self.pattern, "output": "json", "filter": f"{status}:200"}
        if self.source == Source.WAYBACK:
            params["collapse"] = "digest"
        if self.since is not None:
            params["from"] = self.since.strftime("%Y%m%d")
        if self.until is not None:
            params["to"] = self.until.strftime("%Y%m%d")
        return params

    def url(self, **extra: str) -> str:
        """The endpoint with this query's parameters and `extra` ones."""
        return f"{self.endpoint}?{urlencode({**self.params(), **extra})}"

    def within(self, when: datetime) -> bool:
        """Is `when` inside the window (the server's own filter is a prefix match)?"""
        day = when.date()
        return ((self.since is None or day >= self.since)
                and (self.until is None or day <= self.until))


def parse_cdx(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """The lines of one CDX answer as dicts (field names unified: url, timestamp, status,
    mime, digest, filename, offset, length) and the resume key, if any."""
    text = text.strip()
    if not text:
        return [], None
    rows: list[dict[str, Any]] = []
    resume: str | None = None
    if text.startswith("["):
        table = json.loads(text)
        if not table:
            return [], None
        header = [str(h) for h in table[0]]
        after_blank = False
        for row in table[1:]:
            if not row:
                after_blank = True
            elif after_blank:
                resume = str(row[0])
            else:
                rows.append(dict(zip(header, row, strict=False)))
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    unified = [{_FIELD_ALIASES.get(k, k): v for k, v in row.items()} for row in rows]
    return unified, resume


def _capture(row: dict[str, Any], query: CdxQuery) -> Capture | None:
    """One CDX line as a :class:`Capture` (None when it lacks what a fetch needs)."""
    url, stamp = row.get("url"), str(row.get("timestamp") or "")
    if not url or not stamp.isdigit():
        return None
    status = str(row.get("status") or "")
    base = Capture(source=query.source, url=str(url), timestamp=stamp,
                   digest=normalize_digest(row.get("digest")),
                   status=int(status) if status.isdigit() else None,
                   mime=row.get("mime"), fetch_url=f"{query.memento_prefix}{stamp}id_/{url}")
    if query.source == Source.WAYBACK:
        return base
    filename, offset, length = row.get("filename"), row.get("offset"), row.get("length")
    if not filename or offset is None or length is None:
        return None
    return replace(base, fetch_url=f"{query.data_prefix.rstrip('/')}/{filename}",
                   filename=str(filename), offset=int(offset), length=int(length))


def _captures(rows: Iterable[dict[str, Any]], query: CdxQuery) -> list[Capture]:
    found = (_capture(row, query) for row in rows)
    return [c for c in found if c is not None and c.status in (None, 200)
            and query.within(c.captured_at)]


async def _get_text(client: ArchiveClient, url: str) -> str:
    """A CDX answer's text; '' for a 404 that says no captures were found."""
    reply = await client.get(url, ok=frozenset({200, 404}))
    if reply.status == 404:
        if b"No Captures" in reply.body or not reply.body.strip():
            return ""
        raise FetchFailed(Reason.HTTP_ERROR, f"HTTP 404 from {url}", 404)
    return reply.body.decode("utf-8", "replace")


async def list_captures(client: ArchiveClient, query: CdxQuery) -> list[Capture]:
    """Every capture the endpoint lists for the query, in time order (each memento once)."""
    rows: list[dict[str, Any]] = []
    if query.source == Source.WAYBACK:
        resume: str | None = None
        while True:
            extra = {"limit": str(PAGE_LIMIT), "showResumeKey": "true"}
            if resume:
                extra["resumeKey"] = resume
            page, resume = parse_cdx(await _get_text(client, query.url(**extra)))
            rows += page
            if not resume or not page:
                break
    else:
        pages = await _cc_pages(client, query)
        for n in range(pages):
            page, _ = parse_cdx(await _get_text(client, query.url(page=str(n))))
            rows += page
    unique = {c.ref: c for c in _captures(rows, query)}
    return sorted(unique.values(), key=lambda c: (c.timestamp, c.url, c.ref))


async def _cc_pages(client: ArchiveClient, query: CdxQuery) -> int:
    """How many pages a Common Crawl index answer has (1 when it does not say)."""
    text = await _get_text(client, query.url(showNumPages="true"))
    try:
        info = json.loads(text.splitlines()[0]) if text.strip() else {}
    except (json.JSONDecodeError, IndexError):
        return 1
    if isinstance(info, dict) and isinstance(info.get("pages"), int):
        return max(1, int(info["pages"]))
    return 1


async def cc_crawls(client: ArchiveClient, collinfo_url: str, index_host: str,
                    since: date | None, until: date | None) -> list[tuple[str, str]]:
    """(crawl id, index URL) of the Common Crawl crawls to search: those collinfo.json
    says overlap the window, else the newest one."""
    reply = await client.get(collinfo_url)
    crawls = json.loads(reply.body.decode("utf-8"))
    chosen = []
    for info in crawls:
        crawl_id = str(info["id"])
        api = str(info.get("cdx-api") or f"{index_host.rstrip('/')}/{crawl_id}-index")
        start, end = info.get("from"), info.get("to")
        if start and end:
            first, last = _day(start), _day(end)
            if (until is None or first <= until) and (since is None or last >= since):
                chosen.append((crawl_id, api))
    if not chosen and crawls:
        newest = crawls[0]
        chosen = [(str(newest["id"]), str(newest.get("cdx-api")
                   or f"{index_host.rstrip('/')}/{newest['id']}-index"))]
    return chosen


def _day(value: object) -> date:
    text = str(value).replace("Z", "+00:00")
    return datetime.fromisoformat(text).date()
