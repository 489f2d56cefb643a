"""A crawl that dies at its write-ahead journal: the first row to be journaled (of the URLs
`when` picks) raises :class:`Crash` instead, as a kill between the WARC's fsync and the
journal line would leave things."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from archive import Journal


class Crash(BaseException):
    """The process "died" here: nothing after it in the crawl runs."""


@contextmanager
def journal_crashes_once(monkeypatch: pytest.MonkeyPatch,
                         when: Callable[[str], bool] = lambda url: True) -> Iterator[list[str]]:
    """Inside the block, Journal.append raises Crash for the first row whose URL `when`
    accepts; the yielded list gets that URL. The real append is back after the block."""
    real_append = Journal.append
    crashed: list[str] = []

    def append(self: Journal, row: dict[str, Any]) -> None:
        if not crashed and when(row["url"]):
            crashed.append(row["url"])
            raise Crash
        real_append(self, row)

    monkeypatch.setattr(Journal, "append", append)
    try:
        yield crashed
    finally:
        monkeypatch.setattr(Journal, "append", real_append)
