"""Cutting a capture short and checking what the parser gives back (truncation tests)."""

from __future__ import annotations

from typing import Any

from markups import STYLES, render_html
from parse_support import assert_consistent, expected_with_url, golden, seed_bytes

from parsers import ParseError, parse_comparison

FORMS = ("text", *STYLES)


def page_form(seed_id: str, form: str) -> tuple[bytes, dict[str, Any]]:
    """(the whole capture, the record it parses to)."""
    if form == "text":
        return seed_bytes(seed_id), golden(seed_id)
    url, want = expected_with_url(golden(seed_id))
    return render_html(golden(seed_id), form, url=url).encode("utf-8"), want


def check_cut(data: bytes, k: int, form: str, want: dict[str, Any]) -> dict[str, Any] | None:
    """Parse data[:k] and check it against the whole record; return the record (or None)."""
    cut = data[:k]
    lede = data.index(b"Which one")
    try:
        got = parse_comparison(cut).to_dict()
    except ParseError as e:
        message = str(e)
        assert "\n" not in message and message
        assert k <= lede, f"raised after the title was whole (cut at {k}): {message}"
        return None
    assert k > data.index(b"AI tool"), "a record from a cut before the heading"
    assert_consistent(got, want)
    complete = (
        data[k:].strip() == b""
        if form != "text"
        else b"Weekly AI Tool Verdicts\n" in cut or (cut.endswith(b"Weekly AI Tool Verdicts"))
    )
    assert got["truncated"] is (not complete), (k, got["truncated"])
    if k >= data.index(b"Get the next comparison"):
        # Everything up to the newsletter footer is there: the whole record.
        assert got == dict(want, truncated=got["truncated"])
    return got


def cut_points(data: bytes, step: int) -> list[int]:
    points = set(range(0, len(data) + 1, step))
    for i, byte in enumerate(data):
        if byte == 0x0A:
            points.update((i, i + 1))
    continuation = [i for i, byte in enumerate(data) if 0x80 <= byte < 0xC0]
    points.update(continuation[::3])  # inside multi-byte characters (—, ·, “, ”)
    points.update(i + 1 for i, byte in enumerate(data) if byte == 0x3C)  # just inside '<'
    points.add(len(data))
    return sorted(points)
