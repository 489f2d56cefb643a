"""Reading sitemap documents: gunzip under a cap, parse an index or urlset, read <lastmod>.

Sitemaps may be gzipped (detected by the magic bytes, not the name or the headers) and
are decompressed under a size cap, so a decompression bomb fails instead of filling
memory; documents with a DOCTYPE are refused (no entity tricks). No network here:
discovery (:mod:`crawler._discovery`) fetches, this module only reads bytes.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from xml.etree import ElementTree

from crawler._models import Reason

__all__ = [
    "MAX_SITEMAP_BYTES",
    "Sitemap",
    "SitemapEntry",
    "SitemapError",
    "SitemapKind",
    "maybe_gunzip",
    "parse_lastmod",
    "parse_sitemap",
]

#: A sitemap may be 50 MB uncompressed (sitemaps.org); anything bigger is refused.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class SitemapError(ValueError):
    """A sitemap that cannot be read; `reason` is the fetch row's reason."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class SitemapKind(StrEnum):
    """The two kinds of sitemap document."""

    INDEX = "index"  # <sitemapindex>: a list of sitemaps
    URLSET = "urlset"  # <urlset>: a list of pages


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> or <sitemap> entry: its location and <lastmod> (UTC, or None)."""

    loc: str
    lastmod: datetime | None = None


@dataclass
class Sitemap:
    """A parsed sitemap document: an index (of sitemaps) or a urlset (of pages)."""

    kind: SitemapKind
    entries: list[SitemapEntry] = field(default_factory=list)


def maybe_gunzip(data: bytes, *, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """`data`, gunzipped when it starts with the gzip magic bytes (every member), refusing
    to produce more than `limit` bytes."""
    if not data.startswith(GZIP_MAGIC):
        if len(data) > limit:
            raise SitemapError(Reason.TOO_LARGE, f"sitemap over {limit} bytes")
        return data
    out = bytearray()
    while data:
        z = zlib.decompressobj(wbits=31)
        chunk = data
        try:
            while chunk:
                out += z.decompress(chunk, limit - len(out) + 1)
                if len(out) > limit:
                    raise SitemapError(Reason.TOO_LARGE, f"sitemap inflates past {limit} bytes")
                chunk = z.unconsumed_tail
            out += z.flush()
        except zlib.error as exc:
            raise SitemapError(Reason.BAD_GZIP, str(exc)) from exc
        if not z.eof:
            raise SitemapError(Reason.TRUNCATED_BODY, "gzip stream cut short")
        data = z.unused_data
        if data and not data.startswith(GZIP_MAGIC):
            break  # trailing garbage after the last member
    return bytes(out)


_W3C_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


def parse_lastmod(text: str | None) -> datetime | None:
    """A W3C datetime (<lastmod>) as an aware UTC datetime; a date alone is midnight UTC.

    Returns None for anything unreadable (treated like a missing lastmod).
    """
    if not text:
        return None
    value = text.strip()
    if _W3C_PARTIAL.match(value):
        value = (value + "-01-01")[:10] if len(value) == 4 else value + "-01"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


_ROOTS = {"sitemapindex": SitemapKind.INDEX, "urlset": SitemapKind.URLSET}


def _entry(elem: ElementTree.Element) -> SitemapEntry | None:
    """The entry of a complete <url> or <sitemap> element; None without a <loc>."""
    loc = lastmod = None
    for child in elem:
        child_name = _local(child.tag)
        if child_name == "loc":
            loc = (child.text or "").strip()
        elif child_name == "lastmod":
            lastmod = child.text
    return SitemapEntry(loc, parse_lastmod(lastmod)) if loc else None


def parse_sitemap(data: bytes) -> Sitemap:
    """Parse a sitemap index or urlset (already gunzipped). Raises SitemapError.

    Namespace-agnostic; streams with iterparse and clears elements as it goes.
    """
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise SitemapError(Reason.BAD_SITEMAP, "DOCTYPE/ENTITY not allowed in a sitemap")
    sitemap: Sitemap | None = None
    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if sitemap is None:
                    if name not in _ROOTS:
                        raise SitemapError(Reason.BAD_SITEMAP, f"root element <{name}>")
                    sitemap = Sitemap(_ROOTS[name])
                continue
            if name in ("url", "sitemap"):
                entry = _entry(elem)
                if entry is not None and sitemap is not None:
                    sitemap.entries.append(entry)
                elem.clear()
    except ElementTree.ParseError as exc:
        raise SitemapError(Reason.BAD_SITEMAP, str(exc)) from exc
    if sitemap is None:
        raise SitemapError(Reason.BAD_SITEMAP, "empty document")
    return sitemap
