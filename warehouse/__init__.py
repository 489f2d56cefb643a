"""The DuckDB warehouse: schema, bulk idempotent loading, views for analysts.

Takes the parser's JSON-shaped dicts; never imports `parsers` or `flows`.
"""

from warehouse.db import connect
from warehouse.load import CaptureRecord, LoadSummary, capture_id, load_captures

__all__ = ["CaptureRecord", "LoadSummary", "capture_id", "connect", "load_captures"]
