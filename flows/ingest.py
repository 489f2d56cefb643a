"""Inputs of `verdicts parse` / `verdicts import` → raw page payloads → parsed pages.

An input is a file: ``.html`` / ``.htm`` (text/html), ``.txt`` (a text rendering,
text/plain), or a WARC (``.warc``, ``.warc.gz``) whose page records each become one
payload. Every problem with an input becomes an :class:`InputError` with a one-line
message naming it (and, inside a WARC, the record's offset), so the rest of a batch goes
on. A file is read, and a WARC record's body decoded, only up to the decode cap
(:data:`archive.MAX_BODY_BYTES`, the crawler's too).

The source URL of a payload is ``--url`` (one input only), else the WARC-Target-URI,
else None — then the parser takes the page's canonical link, if any.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from archive import MAX_BODY_BYTES, RecordError, megabytes, payload_digest, scan_payloads
from flows.payloads import (
    IMPORT,
    ParsedPayload,
    Payload,
    one_line,
    parse_payload,
    parser_version,
)

__all__ = [
    "FILE_TYPES",
    "InputError",
    "InputPayload",
    "ParsedPayload",
    "batched",
    "file_mtime",
    "input_kind",
    "iter_inputs",
    "parse_payload",
    "parser_version",
]

#: File extension → content type of a plain-file input.
FILE_TYPES: dict[str, str] = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
WARC_SUFFIXES = (".warc", ".warc.gz")
KNOWN = ", ".join([*FILE_TYPES, *WARC_SUFFIXES])

#: An input's payload: a :class:`flows.payloads.Payload` with `input` and `label` set,
#: source 'import' and source_ref the input as given.
InputPayload = Payload


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


def _read_file(
    path: Path, given: str, url: str | None, observed_at: datetime | None
) -> InputPayload | InputError:
    """One plain-file input, read only up to the decode cap (as a fetched body is)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BODY_BYTES + 1)
        when = observed_at or file_mtime(path)
    except OSError as exc:
        return InputError(given, f"cannot read: {exc.strerror or one_line(exc)}")
    if len(data) > MAX_BODY_BYTES:
        return InputError(given, f"file over {megabytes(MAX_BODY_BYTES)} cap")
    return Payload(
        url=url,
        observed_at=when,
        content_type=FILE_TYPES[path.suffix.lower()],
        payload=data,
        payload_digest=payload_digest(data),
        payload_bytes=len(data),
        source=IMPORT,
        source_ref=given,
        input=given,
        label=given,
        raw_payload=data,
    )


def _read_warc(
    path: Path, given: str, url: str | None, observed_at: datetime | None
) -> Iterator[InputPayload | InputError]:
    """The page payloads of one WARC input, and an InputError naming the offset of each
    record that cannot be read (the records after it still are)."""
    pages = skipped = errors = 0
    try:
        for rec in scan_payloads(path):
            if isinstance(rec, RecordError):
                errors += 1
                yield InputError(given, rec.message)
                continue
            if rec.http_status is not None and rec.http_status != 200:
                skipped += 1  # redirects, 404s …: not page captures
                continue
            pages += 1
            yield Payload.from_archived(
                rec, source=IMPORT, source_ref=given, url=url, observed_at=observed_at,
                input=given, label=f"{given}@{rec.offset}", keep_raw=True,
            )
    except OSError as exc:
        yield InputError(given, f"cannot read WARC: {exc.strerror or one_line(exc)}")
        return
    if pages == 0 and errors == 0:
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


T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, in order (itertools.batched, which needs Python 3.12).

    When `items` raises, the items already read are yielded first as a last, short batch,
    then the error is raised: a source that fails midway never takes whole items with it.
    """
    batch: list[T] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) >= size:
                full, batch = batch, []
                yield full
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch
