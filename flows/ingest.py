"""Inputs of `verdicts parse` / `verdicts import` → raw page payloads → parsed pages.

An input is a file: ``.html`` / ``.htm`` (text/html), ``.txt`` (a text rendering,
text/plain), or a WARC (``.warc``, ``.warc.gz``) whose page records each become one
payload. Every problem with an input becomes an :class:`InputError` with a one-line
message naming it, so the rest of a batch goes on.

The source URL of a payload is ``--url`` (one input only), else the WARC-Target-URI,
else None — then the parser takes the page's canonical link, if any.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from archive._warc import iter_payloads, payload_digest
from warehouse.load import capture_id

__all__ = [
    "FILE_TYPES",
    "InputError",
    "InputPayload",
    "ParsedPayload",
    "file_mtime",
    "input_kind",
    "iter_inputs",
    "parse_payload",
]

#: File extension → content type of a plain-file input.
FILE_TYPES: dict[str, str] = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
WARC_SUFFIXES = (".warc", ".warc.gz")
KNOWN = ", ".join([*FILE_TYPES, *WARC_SUFFIXES])


@dataclass(frozen=True)
class InputPayload:
    """One page's bytes from an input, with where and when it was seen.

    `payload` is what the parser reads (Content-Encoding undone); `raw_payload` is the
    bytes as stored, which `payload_digest` covers and the archive keeps. For plain
    files both are the file's bytes.
    """

    input: str  # the input path as given
    label: str  # names it in messages: the path, or 'path@offset' for a WARC record
    url: str | None  # source URL: --url or WARC-Target-URI
    observed_at: datetime  # aware, UTC
    content_type: str  # 'text/html' or 'text/plain'
    payload: bytes
    raw_payload: bytes
    payload_digest: str
    http_status: int | None = None
    http_headers: list[tuple[str, str]] = field(default_factory=list)
    record_type: str | None = None  # WARC record type ('response', 'resource', …); None for files

    @property
    def capture_id(self) -> str:
        """The warehouse id this payload's capture gets."""
        return capture_id(self.url, self.observed_at, self.payload_digest)


@dataclass(frozen=True)
class InputError:
    """An input that yielded no (more) payloads, and why, in one line."""

    input: str
    message: str

    def __str__(self) -> str:
        return f"{self.input}: {self.message}"


def input_kind(path: Path) -> str | None:
    """'file' or 'warc' by extension (case-insensitive), None when unknown."""
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if path.suffix.lower() in FILE_TYPES:
        return "file"
    return None


def file_mtime(path: Path) -> datetime:
    """A file's modification time as an aware UTC datetime, to the microsecond.

    Integer arithmetic on st_mtime_ns, so the same file always gives the same value
    (and re-importing it finds the same capture).
    """
    ns = path.stat().st_mtime_ns
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "unknown error"


def _read_file(
    path: Path, given: str, url: str | None, observed_at: datetime | None
) -> InputPayload | InputError:
    try:
        data = path.read_bytes()
        when = observed_at or file_mtime(path)
    except OSError as exc:
        return InputError(given, f"cannot read: {exc.strerror or _one_line(exc)}")
    return InputPayload(
        input=given,
        label=given,
        url=url,
        observed_at=when,
        content_type=FILE_TYPES[path.suffix.lower()],
        payload=data,
        raw_payload=data,
        payload_digest=payload_digest(data),
    )


def _read_warc(
    path: Path, given: str, url: str | None, observed_at: datetime | None
) -> Iterator[InputPayload | InputError]:
    pages = skipped = 0
    try:
        for rec in iter_payloads(path):
            if rec.http_status is not None and rec.http_status != 200:
                skipped += 1  # redirects, 404s …: not page captures
                continue
            pages += 1
            yield InputPayload(
                input=given,
                label=f"{given}@{rec.offset}",
                url=url if url is not None else rec.url,
                observed_at=observed_at or rec.date,
                content_type=rec.content_type or "text/html",
                payload=rec.payload,
                raw_payload=rec.raw_payload,
                payload_digest=rec.payload_digest,
                http_status=rec.http_status,
                http_headers=list(rec.http_headers),
                record_type=rec.record_type,
            )
    except OSError as exc:
        yield InputError(given, f"cannot read WARC: {exc.strerror or _one_line(exc)}")
        return
    except Exception as exc:  # warcio raises many kinds on damaged files
        where = f" after {pages} page record(s)" if pages else ""
        yield InputError(given, f"unreadable WARC{where}: {_one_line(exc)}")
        return
    if pages == 0:
        detail = f" ({skipped} non-200 response(s) skipped)" if skipped else ""
        yield InputError(given, f"no page records in WARC (HTML responses, text resources){detail}")


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]],
    *,
    url: str | None = None,
    observed_at: datetime | None = None,
) -> Iterator[InputPayload | InputError]:
    """Payloads of every input, in order; an :class:`InputError` for each bad input.

    `url` (``--url``) overrides every source URL and is only allowed with one input;
    `observed_at` (``--observed-at``) overrides the WARC-Date / file mtime.
    Raises ValueError up front if `url` is given with more than one input.
    """
    paths = list(paths)
    if url is not None and len(paths) != 1:
        raise ValueError(f"--url needs exactly one input, got {len(paths)}")
    if observed_at is not None:
        if observed_at.tzinfo is None:
            raise ValueError("observed_at must be timezone-aware")
        observed_at = observed_at.astimezone(UTC)
    for raw in paths:
        given = os.fspath(raw)
        path = Path(given)
        kind = input_kind(path)
        if not path.exists():
            yield InputError(given, "no such file")
        elif path.is_dir():
            yield InputError(given, "is a directory (give the files inside it)")
        elif kind is None:
            suffix = path.suffix or "(none)"
            yield InputError(given, f"unknown file type {suffix}: expected one of {KNOWN}")
        elif kind == "file":
            yield _read_file(path, given, url, observed_at)
        else:
            yield from _read_warc(path, given, url, observed_at)


@dataclass(frozen=True)
class ParsedPayload:
    """The parser's result for one payload: the page dict, or the one-line reason."""

    page: dict[str, Any] | None
    error: str | None


def parse_payload(item: InputPayload) -> ParsedPayload:
    """Parse one payload with the comparison parser; never raises for a bad page.

    A ParseError gives its own one-line message; any other exception (a parser bug)
    is reported as such, so one odd page cannot stop a batch.
    """
    from parsers import ParseError, parse_comparison

    try:
        comparison = parse_comparison(item.payload, url=item.url, content_type=item.content_type)
        return ParsedPayload(comparison.to_dict(), None)
    except ParseError as exc:
        return ParsedPayload(None, _one_line(exc))
    except Exception as exc:  # noqa: BLE001 - reported per page, batch continues
        return ParsedPayload(None, f"parser failed: {type(exc).__name__}: {_one_line(exc)}")


def parser_version() -> str:
    """The parser's PARSER_VERSION (recorded with every capture)."""
    from parsers import PARSER_VERSION

    return str(PARSER_VERSION)


T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, in order (itertools.batched, which needs Python 3.12)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
