"""One capture's bytes from its archive, checked against the CDX digest.

* **Wayback**: the ``id_`` memento is the original payload, unrewritten; its status and
  headers come back as the archive sends them (the original headers, or
  ``X-Archive-Orig-*`` ones), and are kept as received.
* **Common Crawl**: a ``Range`` GET of the WARC file returns one gzipped WARC record; its
  HTTP response (status line, headers, payload as stored) is what gets re-emitted.

The payload's digest must equal the CDX line's: a mismatch is a failure with that reason,
never archived as the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator

from archive import payload_digest
from backfill._http import ArchiveClient, FetchFailed
from backfill._models import Capture, Reason, Source

__all__ = ["Memento", "digest_problem", "fetch_memento", "parse_cc_record", "provenance"]


@dataclass(frozen=True)
class Memento:
    """A capture's HTTP response as the archive holds it: status, headers, raw payload."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def digest(self) -> str:
        """``sha1:BASE32`` of the payload as received."""
        return payload_digest(self.body)

    @property
    def content_type(self) -> str | None:
        """The media type the response names (no parameters)."""
        value = next((v for k, v in self.headers if k.lower() == "content-type"), None)
        return value.split(";")[0].strip().lower() if value else None


def provenance(capture: Capture) -> dict[str, str]:
    """The WARC header fields naming where a capture came from: ``WARC-Source-URI`` (the
    memento URL, or the Common Crawl WARC file, with ``WARC-Source-Range``)."""
    fields = {"WARC-Source-URI": capture.fetch_url}
    if capture.source == Source.COMMONCRAWL and capture.offset is not None:
        fields["WARC-Source-Range"] = _byte_range(capture)
    return fields


def _byte_range(capture: Capture) -> str:
    assert capture.offset is not None and capture.length is not None
    return f"bytes={capture.offset}-{capture.offset + capture.length - 1}"


async def fetch_memento(client: ArchiveClient, capture: Capture) -> Memento:
    """The capture's response from its archive. Raises :class:`FetchFailed` (the reason
    says why: the archive's answer, a bad record)."""
    if capture.source == Source.WAYBACK:
        reply = await client.get(capture.fetch_url)
        return Memento(reply.status, reply.reason, reply.headers, reply.body)
    reply = await client.get(capture.fetch_url, headers={"Range": _byte_range(capture)},
                             ok=frozenset({200, 206}))
    data = reply.body
    if reply.status == 200:  # the server ignored the range: cut it out ourselves
        assert capture.offset is not None and capture.length is not None
        data = data[capture.offset: capture.offset + capture.length]
    return parse_cc_record(data, capture)


def parse_cc_record(data: bytes, capture: Capture) -> Memento:
    """The HTTP response inside one (gzipped) WARC response record; :class:`FetchFailed`
    (bad_record) when the bytes are no such record."""
    where = f"{capture.filename} at {capture.offset}"
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                raise FetchFailed(Reason.BAD_RECORD, f"{where}: a {record.rec_type} record, "
                                                     f"not an HTTP response")
            http = record.http_headers
            code, _, reason = str(http.statusline).strip().partition(" ")
            return Memento(int(code), reason, list(http.headers), record.raw_stream.read())
    except FetchFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on bad bytes
        raise FetchFailed(Reason.BAD_RECORD, f"{where}: not a WARC record ({exc})") from exc
    raise FetchFailed(Reason.BAD_RECORD, f"{where}: no record in the byte range")


def digest_problem(capture: Capture, memento: Memento) -> str | None:
    """Why the memento's payload is not the one the CDX line names, else None."""
    if capture.digest is None or memento.digest == capture.digest:
        return None
    return (f"payload digest {memento.digest} does not match the CDX digest "
            f"{capture.digest} ({capture.ref})")
