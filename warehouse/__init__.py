"""The DuckDB warehouse: schema, bulk idempotent loading, views for analysts.

Takes the parser's JSON-shaped dicts; never imports `parsers` or `flows`.
"""

from warehouse.db import connect
from warehouse.load import load_captures, load_page_gone
from warehouse.records import CaptureRecord, GoneOutcome, LoadSummary, PageGone, capture_id

__all__ = ["CaptureRecord", "GoneOutcome", "LoadSummary", "PageGone", "capture_id", "connect",
           "load_captures", "load_page_gone"]
