"""A loopback reverse proxy that throttles like a public archive does.

    with FaultProxy(wb.base, first=3, retry_after=1) as proxy:
        httpx.get(proxy.base + "/replica/cdx?url=…")   # 429 ×3 with Retry-After: 1, then 200
        proxy.log                                       # ProxyLogEntry per request

Which requests fail is decided by the request's position (1-based count `n` of requests that
match `only`, a path substring; all by default): the first `first` get 429, then every
`every`-th gets 429, every `unavailable_every`-th gets 503 (both with `Retry-After`), and a
request sooner than `min_interval` seconds after the previous *forwarded* one gets 429 too
(a rate limit). Everything else is forwarded unchanged (method, path, query, headers such as
Range; the upstream's status, headers and body come back, redirects not followed).
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from replica._loopback import LoopbackHandler, LoopbackServer

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade",
        "content-length", "host", "server", "date"}
THROTTLED_BODY = b"Too Many Requests: slow down and retry after the given delay.\n"
UNAVAILABLE_BODY = b"Service Unavailable: try again later.\n"


class ProxyAction(StrEnum):
    """What the proxy did with a request."""

    FORWARDED = "forwarded"
    THROTTLED = "throttled"  # 429
    UNAVAILABLE = "unavailable"  # 503


@dataclass(frozen=True)
class ProxyLogEntry:
    """One request as the proxy saw it."""

    time: float  # time.monotonic() on arrival
    method: str
    path: str  # with query
    status: int
    action: ProxyAction
    retry_after: int | None = None  # the Retry-After sent, if any


@dataclass
class FaultPlan:
    """Which request numbers fail (see the module docstring)."""

    first: int = 0
    every: int = 0
    unavailable_every: int = 0
    min_interval: float = 0.0
    retry_after: int = 1
    only: str | None = None

    def decide(self, n: int, since_forward: float | None) -> ProxyAction:
        """The action for the n-th matching request (1-based)."""
        if n <= self.first:
            return ProxyAction.THROTTLED
        if self.every and n % self.every == 0:
            return ProxyAction.THROTTLED
        if self.unavailable_every and n % self.unavailable_every == 0:
            return ProxyAction.UNAVAILABLE
        if self.min_interval and since_forward is not None and since_forward < self.min_interval:
            return ProxyAction.THROTTLED
        return ProxyAction.FORWARDED


@dataclass
class _State:
    count: int = 0
    last_forward: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultProxy:
    """A throttling reverse proxy in front of `upstream` on 127.0.0.1 (context manager)."""

    def __init__(self, upstream: str, *, first: int = 0, every: int = 0,
                 unavailable_every: int = 0, min_interval: float = 0.0, retry_after: int = 1,
                 only: str | None = None, port: int = 0, timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.plan = FaultPlan(first, every, unavailable_every, min_interval, retry_after, only)
        self.timeout = timeout
        self.log: list[ProxyLogEntry] = []
        self._state = _State()
        self._server = LoopbackServer(_ProxyHandler, self, port=port, name="faultproxy")

    @property
    def base(self) -> str:
        return self._server.base

    def url(self, upstream_url: str) -> str:
        """The proxied form of an upstream URL."""
        if not upstream_url.startswith(self.upstream):
            raise ValueError(f"{upstream_url} is not under {self.upstream}")
        return self.base + upstream_url[len(self.upstream):]

    def decide(self, path: str, now: float) -> ProxyAction:
        """Count the request and choose what to do with it."""
        if self.plan.only is not None and self.plan.only not in path:
            return ProxyAction.FORWARDED
        with self._state.lock:
            self._state.count += 1
            last = self._state.last_forward
            action = self.plan.decide(self._state.count,
                                      None if last is None else now - last)
            if action is ProxyAction.FORWARDED:
                self._state.last_forward = now
        return action

    def record(self, entry: ProxyLogEntry) -> None:
        with self._state.lock:
            self.log.append(entry)

    def reset(self) -> None:
        """Forget the log and the request count (the burst starts again)."""
        with self._state.lock:
            self.log.clear()
            self._state.count = 0
            self._state.last_forward = None

    def start(self) -> FaultProxy:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ProxyHandler(LoopbackHandler):
    owner: FaultProxy

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _handle(self) -> None:
        """Decide, log, then answer: the log holds a request's entry before its client
        has the answer (tests read the log as soon as their requests return)."""
        proxy = self.owner
        arrived = time.monotonic()
        action = proxy.decide(self.path, arrived)
        head = self.command == "HEAD"
        retry: int | None = None
        if action is ProxyAction.FORWARDED:
            status, answer = self._forward(head)
        else:
            retry = proxy.plan.retry_after
            status = 429 if action is ProxyAction.THROTTLED else 503
            body = THROTTLED_BODY if status == 429 else UNAVAILABLE_BODY

            def answer() -> None:
                self.send_body(status, body, headers=[("Retry-After", str(retry))], head=head)
        proxy.record(ProxyLogEntry(arrived, self.command, self.path, status, action, retry))
        answer()

    def _forward(self, head: bool) -> tuple[int, Callable[[], None]]:
        """The upstream's answer: its status, and how to send it to the client."""
        proxy = self.owner
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port,
                                          timeout=proxy.timeout)
        try:
            conn.request(self.command, self.path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP]
            length = resp.getheader("Content-Length", "0") if head else str(len(body))
        except (OSError, http.client.HTTPException) as exc:
            error = f"bad gateway: {exc}\n".encode()
            return 502, lambda: self.send_body(502, error, head=head)
        finally:
            conn.close()

        def answer() -> None:
            self.send_response(resp.status, resp.reason)
            for k, v in kept:
                self.send_header(k, v)
            self.send_header("Content-Length", length)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        return resp.status, answer
