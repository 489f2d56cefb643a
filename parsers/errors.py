"""The one exception the parser raises: a page it cannot (or must not) turn into a record."""

from __future__ import annotations


class ParseError(ValueError):
    """Not a (whole enough) comparison page; `str(e)` is one line saying what is wrong."""

    def __init__(self, message: str) -> None:
        # One line, always: callers print it next to a file name or a WARC record id.
        super().__init__(" ".join(str(message).split()))
