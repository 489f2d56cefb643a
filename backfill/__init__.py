"""The backfill engine: past captures of the site's comparison pages, from public web
archives, into our own WARCs, with their provenance.

It knows neither Prefect nor DuckDB (:mod:`flows.backfill` runs it as a flow and loads the
warehouse). One small module per concern:

* :mod:`backfill._cdx` — CDX queries (Wayback-compatible servers, Common Crawl's index);
* :mod:`backfill._http` — a polite client on httpx with the crawler's pacing and
  Retry-After handling (why not a CDX library: see its docstring);
* :mod:`backfill._memento` — one capture's bytes (``id_`` memento, or a WARC byte range),
  checked against the CDX digest;
* :mod:`backfill._ledger` — what is settled, so a killed or repeated backfill fetches
  nothing twice;
* :mod:`backfill._engine` — discover, plan, fetch + archive.
"""

from backfill._cdx import CdxQuery, memento_prefix, normalize_digest, parse_cdx, site_pattern
from backfill._engine import (
    CC_DATA,
    CC_INDEX,
    WAYBACK_CDX,
    BackfillSpec,
    BatchResult,
    CdxUnavailable,
    Discovery,
    Plan,
    discover,
    fetch_batch,
    plan,
)
from backfill._http import DEFAULT_RATE, ArchiveClient, FetchFailed, Politeness, Reply
from backfill._ledger import backfill_warcs, ledger_path, read_ledger, source_of_warc
from backfill._models import Capture, Outcome, Reason, Settled, Source, parse_timestamp

__all__ = [
    "CC_DATA",
    "CC_INDEX",
    "DEFAULT_RATE",
    "WAYBACK_CDX",
    "ArchiveClient",
    "BackfillSpec",
    "BatchResult",
    "Capture",
    "CdxQuery",
    "CdxUnavailable",
    "Discovery",
    "FetchFailed",
    "Outcome",
    "Plan",
    "Politeness",
    "Reason",
    "Reply",
    "Settled",
    "Source",
    "backfill_warcs",
    "discover",
    "fetch_batch",
    "ledger_path",
    "memento_prefix",
    "normalize_digest",
    "parse_cdx",
    "parse_timestamp",
    "plan",
    "read_ledger",
    "source_of_warc",
    "site_pattern",
]
