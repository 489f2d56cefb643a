"""Pure parsers: a captured comparison page (bytes or text) → a `Comparison` record.

No I/O, no clock, no network: the same bytes always give the same record, so the
warehouse can be rebuilt from the WARC archive at any time. Bump PARSER_VERSION whenever
the output for some input changes.
"""

from .comparison import Comparison, parse_comparison
from .errors import ParseError
from .media import HTML_TYPES, MAX_PAGE_BYTES, media_type
from .review import Review
from .tool_card import ToolCard
from .url import comparison_slugs, is_comparison_url

PARSER_VERSION: str = "1.2.0"

__all__ = [
    "HTML_TYPES",
    "MAX_PAGE_BYTES",
    "PARSER_VERSION",
    "Comparison",
    "ParseError",
    "Review",
    "ToolCard",
    "comparison_slugs",
    "is_comparison_url",
    "media_type",
    "parse_comparison",
]
