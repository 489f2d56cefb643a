"""The archive: WARC files written and read back, crash repair, the crawl's journal.

It knows neither HTTP clients nor DuckDB: bytes and headers in, records out (warcio is
the model: small, streaming, symmetric). One small module per concern:

* :mod:`archive._writer` — :class:`WarcWriter` appends records durably;
* :mod:`archive._reader` — :func:`iter_records`, :func:`iter_payloads` and
  :func:`read_payload_at` read them back, digests checked;
* :mod:`archive._repair` — :func:`repair_warc` cuts a record torn by a crash;
* :mod:`archive._naming` — how WARC files are named and found (a crawl run's files);
* :mod:`archive._journal` — the crawl's write-ahead log of fetch outcomes.
"""

from archive._journal import Journal, journal_path, read_journal
from archive._naming import crawl_run_of, crawl_warc_prefix, run_warcs, warc_files
from archive._reader import (
    ArchivedPayload,
    PartialRecordError,
    iter_payloads,
    iter_records,
    read_payload_at,
    read_record_payload,
)
from archive._repair import repair_warc
from archive._writer import ArchivedRecord, WarcWriter, payload_digest, warc_date

__all__ = [
    "ArchivedPayload",
    "ArchivedRecord",
    "Journal",
    "PartialRecordError",
    "WarcWriter",
    "crawl_run_of",
    "crawl_warc_prefix",
    "iter_payloads",
    "iter_records",
    "journal_path",
    "payload_digest",
    "read_journal",
    "read_payload_at",
    "read_record_payload",
    "repair_warc",
    "run_warcs",
    "warc_date",
    "warc_files",
]
