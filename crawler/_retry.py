"""How long to wait before trying again: Retry-After, and exponential backoff with jitter.

Kept apart from the fetcher so the arithmetic can be read (and tested) on its own.
"""

from __future__ import annotations

import email.utils
import random
import time
from datetime import UTC

__all__ = ["backoff_delay", "parse_retry_after"]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() also accepts '²', '٣'…
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def backoff_delay(attempt: int, *, base: float, ceiling: float) -> float:
    """Seconds before retry number `attempt` (1 = the first retry): exponential from
    `base`, capped at `ceiling`, with equal jitter (half fixed, half random)."""
    top = min(ceiling, base * 2.0 ** (attempt - 1))
    return top / 2 + random.uniform(0, top / 2)
