"""Comparison URLs (`/compare/<slug-a>-vs-<slug-b>`) and the tool slugs in them."""

from __future__ import annotations

import re

_SEP = "-vs-"


# scheme://host, then the path up to a query or fragment. urlsplit() would do, at ten
# times the cost; this runs once per parsed page.
_URL = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://[^/?#]*)?([^?#]*)")


def _compare_segment(url: str | None) -> str | None:
    """The `<slug-a>-vs-<slug-b>` path segment of a comparison URL, else None.

    Any host is accepted (the live site, its `www.` variant, the local replica): scope is
    the fetcher's business, not the parser's. Query and fragment are ignored.
    """
    if not url or not isinstance(url, str):
        return None
    m = _URL.match(url.strip())
    if m is None:  # pragma: no cover - the pattern matches any string
        return None
    scheme, path = m.group(1), m.group(2)
    if scheme is not None and scheme.lower() not in ("http", "https"):
        return None
    segments = path.strip("/").split("/")
    if len(segments) != 2 or segments[0] != "compare" or _SEP not in segments[1]:
        return None
    return segments[1]


def is_comparison_url(url: str) -> bool:
    """True for `/compare/<a>-vs-<b>` URLs (at least one `-vs-`, non-empty ends)."""
    seg = _compare_segment(url)
    return seg is not None and not seg.startswith(_SEP) and not seg.endswith(_SEP)


def comparison_slugs(url: str | None) -> tuple[str | None, str | None]:
    """The two tool slugs of a comparison URL, or (None, None).

    Slugs are only read when the segment has exactly one `-vs-`: with two or more the
    split point is ambiguous (a slug may itself contain `-vs-`), and we do not guess.
    """
    seg = _compare_segment(url)
    if seg is None or seg.count(_SEP) != 1:
        return None, None
    a, b = seg.split(_SEP)
    if not a or not b:
        return None, None
    return a, b
