"""`verdicts parse`: comparison pages (files or WARCs) → JSON Lines on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli._options import Subparsers, add_command, add_inputs, check_inputs, fail
from flows.ingest import InputError, iter_inputs, parse_payload

DESCRIPTION = """\
Parse shiporskip.io comparison pages and print one JSON object per page (JSON Lines).

Inputs: .html/.htm files (HTML), .txt files (a text rendering, one visible element per
line), and WARC files (.warc, .warc.gz), where every HTML response and every text/plain
or text/html resource/conversion record is one page.

Each line is the parser's Comparison.to_dict(). A page or input that cannot be parsed
prints {"url": ..., "error": ..., "input": ...} instead, plus one line on stderr
("verdicts: <input>: <what is wrong>"); the other pages still print, and the exit
status is 1 at the end. WARC records are named <file>@<offset> in messages; a record
that cannot be read (damaged, cut short, or a body that decodes past the 8 MB cap, the
crawler's) is reported with its offset, and the records after it are still read. A file
over the same cap is refused.

The page URL (which gives the tools' slugs) is --url, else the WARC-Target-URI, else
the page's canonical link, else null. Nothing is written to disk.
"""

EPILOG = """\
examples:
  verdicts parse ../shared/seeds/*.txt
  verdicts parse page.html --url https://shiporskip.io/compare/windsurf-vs-gemini-api
  verdicts parse data/archive/crawl-*.warc.gz | jq -r '.title'
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts parse`."""
    p = add_command(
        subparsers, "parse", help="parse comparison pages (files or WARCs) to JSON Lines",
        description=DESCRIPTION, epilog=EPILOG,
    )
    add_inputs(p)
    p.set_defaults(func=run)
    return p


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def run(args: argparse.Namespace) -> int:
    """Print every page as JSON; return 1 if any input or page failed, else 0."""
    if not check_inputs(args):
        return 2
    failed = 0
    for item in iter_inputs(args.paths, url=args.url):
        if isinstance(item, InputError):
            failed += 1
            _emit({"url": args.url, "error": item.message, "input": item.input})
            fail(None, f"{item.input}: {item.message}")
            continue
        parsed = parse_payload(item)
        if parsed.page is not None:
            _emit(parsed.page)
        else:
            failed += 1
            _emit({"url": item.url, "error": parsed.error, "input": item.label})
            fail(None, f"{item.label}: {parsed.error or 'parse failed'}")
    sys.stdout.flush()
    return 1 if failed else 0
