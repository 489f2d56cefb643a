"""PARSER_VERSION moves whenever the parser's output does (the warehouse's freshness key).

The derived tables are rebuilt when the parser version changes (warehouse.history's
signature includes it), so a parser change that alters values without a version bump
would leave stale histories. This test fingerprints the parser's output on a fixed corpus
(the five seeds as text, and each seed rendered in every test markup, both cut and whole)
and keeps the fingerprint beside the version it belongs to: when the output changes, the
test fails until PARSER_VERSION is bumped and the new pair is written here.
"""

from __future__ import annotations

import hashlib
import json

from markups import STYLES, render_html
from parse_support import SEED_IDS, expected_with_url, golden, seed_bytes

from parsers import PARSER_VERSION, ParseError, parse_comparison

#: The version and the fingerprint of its output on the corpus below. After a deliberate
#: output change: bump PARSER_VERSION, then put the new version and the fingerprint the
#: failure message prints here.
RECORDED_VERSION = "1.2.0"
RECORDED_FINGERPRINT = "396c0eab219195da528787883f840513785f88a9a5191dfffa719dfd4360db05"


def _corpus() -> list[bytes]:
    pages = []
    for seed_id in SEED_IDS:
        text = seed_bytes(seed_id)
        pages += [text, text[: len(text) // 2]]
        url, _ = expected_with_url(golden(seed_id))
        for style in STYLES:
            html = render_html(golden(seed_id), style, url=url).encode("utf-8")
            pages += [html, html[: len(html) * 2 // 3]]
    return pages


def fingerprint() -> str:
    """sha256 over every corpus page's `verdicts parse` record (or its error)."""
    digest = hashlib.sha256()
    for page in _corpus():
        try:
            out: object = parse_comparison(page).to_dict()
        except ParseError as exc:
            out = {"error": str(exc)}
        digest.update(json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def test_output_changes_move_the_parser_version() -> None:
    got = fingerprint()
    if PARSER_VERSION == RECORDED_VERSION:
        assert got == RECORDED_FINGERPRINT, (
            f"the parser's output changed but PARSER_VERSION is still {PARSER_VERSION}: "
            f"bump it, then record the new version with fingerprint {got}"
        )
    else:
        raise AssertionError(
            f"PARSER_VERSION is {PARSER_VERSION}: record it here with fingerprint {got}"
        )
