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


#: the path prefix of the replica's comparison pages
PAGES = "/compare/"


def page_log(replica: Replica) -> list[RequestLogEntry]:
    """The settled log's requests for comparison pages (robots.txt, sitemaps and the rest
    left out)."""
    return [e for e in settle(replica) if e.path.startswith(PAGES)]


def wait_for_log(rep: Replica, n: int, prefix: str = "/",
                 timeout: float = 10.0) -> list[RequestLogEntry]:
    """The log entries for paths under `prefix`, once there are `n`: the server logs a
    request just after answering it, so the client can be a moment ahead of the log."""
    deadline = time.monotonic() + timeout
    while True:
        entries = [e for e in list(rep.requests) if e.path.startswith(prefix)]
        if len(entries) >= n or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(entries) == n, f"expected {n} logged requests, got {len(entries)}"
    return entries


def wait_for_entry(rep: Replica, path: str, timeout: float = 10.0) -> RequestLogEntry:
    """The latest log entry for `path`, once the server has logged it."""
    deadline = time.monotonic() + timeout
    while not (entries := [e for e in list(rep.requests) if e.path == path]):
        assert time.monotonic() < deadline, f"no logged request for {path}"
        time.sleep(0.01)
    return entries[-1]
