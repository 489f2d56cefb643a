"""Media types: the one place a Content-Type header value is reduced to its type."""

from __future__ import annotations

#: The largest page body (decoded) the project fetches, reads back or parses: the crawler's
#: body cap, the archive's decode cap and the parser's size budget are this one number.
MAX_PAGE_BYTES = 8 * 1024 * 1024

#: Media types a comparison page capture may have.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | None) -> str | None:
    """'text/html; charset=utf-8' -> 'text/html' (lower case); None or '' -> None."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None
