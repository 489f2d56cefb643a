"""The archive: WARC files written and read back, crash repair, the crawl's journal.

It knows neither HTTP clients nor DuckDB: bytes and headers in, records out (warcio is
the model: small, streaming, symmetric). One small module per concern:

* :mod:`archive._writer` — :class:`WarcWriter` appends records durably;
* :mod:`archive._scan` — where each whole record is, and a :class:`RecordError` (file,
  offset, reason) for bytes that are not one; reading resumes after them;
* :mod:`archive._reader` — :func:`iter_records`, :func:`iter_payloads` and
  :func:`read_payload_at` read records back, digests checked;
* :mod:`archive._decode` — Content-Encoding undone in a stream, stopped at
  :data:`MAX_BODY_BYTES` (the decode cap);
* :mod:`archive._repair` — :func:`repair_warc` moves a record torn by a crash aside;
* :mod:`archive._naming` — how WARC files are named and found (a crawl run's files);
* :mod:`archive._journal` — the crawl's write-ahead log of fetch outcomes;
* :mod:`archive._wacz` — :func:`export_wacz` packages the WARCs (or a date range of their
  records) as one WACZ file for replay tools.
"""

from archive._decode import MAX_BODY_BYTES, BodyOverCap, megabytes
from archive._journal import Journal, journal_path, read_journal
from archive._naming import crawl_run_of, crawl_warc_prefix, run_warcs, warc_files
from archive._reader import (
    ArchivedPayload,
    DamagedWarcError,
    PartialRecordError,
    RecordError,
    iter_payloads,
    iter_records,
    read_payload_at,
    read_record_payload,
    scan_payloads,
    scan_records,
)
from archive._repair import QUARANTINE_DIRNAME, repair_warc
from archive._wacz import DateRange, NothingToExport, WaczExport, export_wacz
from archive._writer import ArchivedRecord, WarcWriter, payload_digest, warc_date

__all__ = [
    "MAX_BODY_BYTES",
    "QUARANTINE_DIRNAME",
    "ArchivedPayload",
    "ArchivedRecord",
    "BodyOverCap",
    "DamagedWarcError",
    "DateRange",
    "Journal",
    "NothingToExport",
    "PartialRecordError",
    "RecordError",
    "WaczExport",
    "WarcWriter",
    "crawl_run_of",
    "crawl_warc_prefix",
    "export_wacz",
    "iter_payloads",
    "iter_records",
    "journal_path",
    "megabytes",
    "payload_digest",
    "read_journal",
    "read_payload_at",
    "read_record_payload",
    "repair_warc",
    "run_warcs",
    "scan_payloads",
    "scan_records",
    "warc_date",
    "warc_files",
]
