"""Reading the replica's request log from tests."""

from __future__ import annotations

import time

from replica import Replica, RequestLogEntry


def settle(replica: Replica, quiet: float = 0.1) -> list[RequestLogEntry]:
    """The request log once the server has logged everything: it logs a request after
    answering it, so a client can be done before the last entry lands."""
    n, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        if len(replica.requests) != n:
            n, since = len(replica.requests), time.monotonic()
        time.sleep(0.01)
    return list(replica.requests)
