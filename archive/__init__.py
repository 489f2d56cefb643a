"""The archive: WARC files written and read back, crash repair, the crawl's journal.

It knows neither HTTP clients nor DuckDB: bytes and headers in, records out (warcio is
the model: small, streaming, symmetric).
"""

from archive._journal import Journal, journal_path, read_journal
from archive._warc import (
    ArchivedPayload,
    ArchivedRecord,
    PartialRecordError,
    WarcWriter,
    iter_payloads,
    iter_records,
    payload_digest,
    read_record_payload,
    repair_warc,
    warc_date,
)

__all__ = [
    "ArchivedPayload",
    "ArchivedRecord",
    "Journal",
    "PartialRecordError",
    "WarcWriter",
    "iter_payloads",
    "iter_records",
    "journal_path",
    "payload_digest",
    "read_journal",
    "read_record_payload",
    "repair_warc",
    "warc_date",
]
