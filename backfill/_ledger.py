"""The backfill's ledger: one JSON line per settled capture, so nothing is fetched twice.

Like the crawl's journal (:mod:`archive._journal`), a capture's line is appended right
after its WARC records are synced to disk. Unlike it, the ledger is kept for good
(``<data>/backfill/ledger.jsonl``): it is how a later backfill over the same days knows
what is already archived (and which payload digests each URL has, for revisit records).

A backfill killed between a record's fsync and its ledger line leaves a record the ledger
does not know: :func:`recover` reads the backfill WARCs a killed run may have been writing
(a torn tail moved aside first) and writes the missing lines, so the capture is not
archived a second time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from archive import Journal, RecordError, iter_records, repair_warc, warc_files
from backfill._models import Outcome, Reason, Settled, Source

__all__ = ["Ledger", "Previous", "backfill_warcs", "ledger_path", "read_ledger", "recover",
           "revisit_index", "source_of_warc", "warc_prefix"]

#: The first part of a backfill WARC's name; the source follows (backfill-wayback-…).
PREFIX = "backfill"


def warc_prefix(source: Source) -> str:
    """The WarcWriter prefix of one source's backfill files."""
    return f"{PREFIX}-{source.value}"


def source_of_warc(path: Path) -> Source | None:
    """The web archive a backfill WARC's records came from (``backfill-<source>-…``);
    None for any other file."""
    parts = Path(path).name.split("-")
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    try:
        return Source(parts[1])
    except ValueError:
        return None


def backfill_warcs(archive_dir: Path) -> list[Path]:
    """The backfill's WARC files in `archive_dir`, in name order."""
    return [p for p in warc_files(archive_dir) if p.name.startswith(f"{PREFIX}-")]


def ledger_path(data_dir: Path) -> Path:
    """Where the ledger lives: ``<data>/backfill/ledger.jsonl``."""
    return Path(data_dir) / "backfill" / "ledger.jsonl"


class Ledger:
    """Appends settled captures to the ledger, each line flushed (survives a SIGKILL): the
    crawl's :class:`archive.Journal` writer, holding Settled lines."""

    def __init__(self, path: Path) -> None:
        self._lines = Journal(path)
        self.path = self._lines.path

    def append(self, settled: Settled) -> None:
        """Write one line and flush it to the OS."""
        self._lines.append(settled.to_dict())

    def close(self) -> None:
        """Flush, fsync and close."""
        self._lines.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_ledger(path: Path) -> dict[str, Settled]:
    """The settled captures by key (a later line wins; a torn last line is ignored)."""
    found: dict[str, Settled] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        try:
            settled = Settled.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError):
            continue
        found[settled.key] = settled
    return found


@dataclass(frozen=True)
class Previous:
    """The archived response a revisit record refers to."""

    record_id: str
    url: str
    date: datetime
    digest: str


def revisit_index(settled: Iterable[Settled]) -> dict[tuple[str, str], Previous]:
    """(url, payload digest) → the first archived response with that payload."""
    index: dict[tuple[str, str], Previous] = {}
    for s in sorted(settled, key=lambda s: s.captured_at):
        if s.outcome == Outcome.ARCHIVED and s.payload_digest and s.warc_record_id:
            index.setdefault((s.url, s.payload_digest),
                             Previous(s.warc_record_id, s.url, s.captured_at, s.payload_digest))
    return index


def _order(path: Path) -> tuple[str, str, int]:
    """Sort key of a backfill WARC: source prefix, creation stamp, serial."""
    prefix, stamp, serial = path.name.split(".warc")[0].rsplit("-", 2)
    return prefix, stamp, int(serial) if serial.isdigit() else 0


def _unsettled_files(archive_dir: Path, known: dict[str, Settled]) -> list[Path]:
    """The backfill WARCs that may hold records the ledger lacks: per source, the newest
    file the ledger names and any newer one (an older file was complete when a later
    run started: that start read it)."""
    named = {Path(s.warc_path).name for s in known.values() if s.warc_path}
    newest: dict[str, tuple[str, str, int]] = {}
    files = backfill_warcs(archive_dir)
    for path in files:
        if path.name in named:
            key = _order(path)
            newest[key[0]] = max(newest.get(key[0], key), key)
    return [p for p in files if _order(p) >= newest.get(_order(p)[0], ("", "", -1))]


def recover(data_dir: Path, archive_dir: Path, key_of: dict[str, str]) -> list[Settled]:
    """Ledger lines for records a killed backfill wrote but did not note; returns them.

    `key_of` maps a record's ``WARC-Source-URI`` (plus ``#`` and its
    ``WARC-Source-Range``, if any) to the capture's key, for the captures listed now.
    Only the files a killed run may have been writing are read (a torn tail moved aside
    first).
    """
    path = ledger_path(data_dir)
    known = read_ledger(path)
    found: list[Settled] = []
    for warc in _unsettled_files(archive_dir, known):
        repair_warc(warc)
        errors: list[RecordError] = []
        for record, offset, length, raw in iter_records(warc, errors=errors):
            settled = _settled_of(record, offset, length, raw, warc, data_dir, key_of)
            if settled is not None and settled.key not in known:
                known[settled.key] = settled
                found.append(settled)
    if found:
        with Ledger(path) as ledger:
            for settled in found:
                ledger.append(settled)
    return found


def _settled_of(record: object, offset: int, length: int, raw: bytes, warc: Path,
                data_dir: Path, key_of: dict[str, str]) -> Settled | None:
    """The ledger line a backfill record stands for (None for other records)."""
    from archive import payload_digest
    from backfill._memento import Memento

    headers = record.rec_headers  # type: ignore[attr-defined]
    uri = headers.get_header("WARC-Source-URI")
    if not uri:
        return None
    rng = headers.get_header("WARC-Source-Range")
    key = key_of.get(f"{uri}#{rng}" if rng else uri)
    if key is None:
        return None
    rec_type = record.rec_type  # type: ignore[attr-defined]
    source = source_of_warc(warc) or Source(warc.name.split("-")[1])
    common = {"key": key, "source": source, "url": headers.get_header("WARC-Target-URI"),
              "captured_at": datetime.fromisoformat(
                  headers.get_header("WARC-Date").replace("Z", "+00:00")),
              "warc_path": os.path.relpath(warc, data_dir), "warc_offset": offset,
              "warc_length": length, "warc_record_id": headers.get_header("WARC-Record-ID")}
    if rec_type == "metadata":
        return Settled(outcome=Outcome.FAILED, reason=Reason.DIGEST_MISMATCH,
                       detail="recovered from the archive", **common)
    http = record.http_headers  # type: ignore[attr-defined]
    status = int(str(http.get_statuscode())) if http is not None else None
    memento = Memento(status or 0, "", list(http.headers) if http else [], raw)
    if rec_type == "revisit":
        return Settled(outcome=Outcome.REVISIT, http_status=status,
                       payload_digest=headers.get_header("WARC-Payload-Digest"), **common)
    return Settled(outcome=Outcome.ARCHIVED, http_status=status,
                   content_type=memento.content_type, payload_digest=payload_digest(raw),
                   payload_bytes=len(raw), **common)
