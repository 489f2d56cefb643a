"""The fetcher connects to the addresses the scope check approved, never to a second DNS
answer (DNS rebinding), over real loopback sockets.

The resolver is patched in-process (socket.getaddrinfo, which asyncio's getaddrinfo and
so both the scope check and httpx use): the first lookup of a name answers a public
address, every later one 127.0.0.x. Public addresses cannot be reached from here, so the
lowest network layer (httpcore's AnyIO backend) is patched too: it records every
address asked for, and either refuses a public one (an unreachable host) or, in the
redirect test, routes it to a loopback server standing in for the public site.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest
from replica_log import settle

from crawler import FetchConfig, Fetcher
from crawler._pinning import PinnedBackend, Pins
from crawler._scope import Scope, is_public_address
from replica import Replica

pytestmark = pytest.mark.timeout(60)

PUBLIC = "93.184.216.34"  # a globally routable address (is_public_address is True)
PUBLIC_WWW = "93.184.216.35"
CFG = FetchConfig(rate=None, concurrency=1, connect_timeout=1.0, read_timeout=1.0,
                  attempt_timeout=2.0, deadline=5.0, max_attempts=1, obey_robots=False)


class Listener:
    """A TCP listener that counts the connections it accepts and what they send."""

    def __init__(self, host: str, port: int = 0) -> None:
        self.sock = socket.create_server((host, port))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(1.0)
                try:
                    self.received += conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                 b"Content-Length: 15\r\nConnection: close\r\n\r\nloopback secret")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()
        self._thread.join(timeout=2)


class Rebinding:
    """socket.getaddrinfo patched: `answers[name]` first, `later` for every next lookup."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, str],
                 later: str) -> None:
        self.answers, self.later = answers, later
        self.lookups: dict[str, int] = {}
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self.getaddrinfo)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups[name] = self.lookups.get(name, 0) + 1
        ip = self.answers[name] if self.lookups[name] == 1 else self.later
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 0)))]


def is_public_address_literal(host: str) -> bool:
    try:
        return is_public_address(host)
    except ValueError:  # a name: the real backend resolves it (through the patch above)
        return False


class Network:
    """httpcore's AnyIO backend patched: records each host connected to; `route` maps a
    public address to a loopback one, any other public address is unreachable (a name
    is resolved by the real backend)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, route: dict[str, str]) -> None:
        self.route = route
        self.connects: list[str] = []
        real = httpcore.AnyIOBackend.connect_tcp

        async def connect_tcp(backend: httpcore.AnyIOBackend, host: str, port: int,
                              *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
            self.connects.append(host)
            if host in self.route:
                host = self.route[host]
            elif is_public_address_literal(host):
                raise httpcore.ConnectError(f"{host} is unreachable from the test")
            return await real(backend, host, port, *args, **kwargs)

        monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_tcp)


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener("127.0.0.1")
    yield lst
    lst.close()


def test_rebinding_does_not_reach_the_loopback_listener(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = f"http://rebind.test:{listener.port}"
    url = base + "/compare/a-vs-b"
    resolver = Rebinding(monkeypatch, {"rebind.test": PUBLIC}, later="127.0.0.1")
    net = Network(monkeypatch, route={})

    async def fetch() -> Any:
        async with Fetcher(base, CFG) as f:
            return await f.fetch(url)

    result = asyncio.run(fetch())
    assert listener.accepted == 0 and listener.received == b""
    assert result.outcome == "failed" and result.reason == "connection_error", result
    assert net.connects == [PUBLIC]  # the checked address, and nothing else
    assert resolver.lookups == {"rebind.test": 1}  # one lookup: the check's

    # The control: checking and then letting the HTTP client resolve again (what the
    # fetcher did before) lands on the listener. So the patch above does rebind.
    resolver.lookups.clear()

    async def check_then_get() -> httpx.Response:
        await Scope(base).check(url)
        async with httpx.AsyncClient(trust_env=False) as client:
            return await client.get(url)

    response = asyncio.run(check_then_get())
    assert response.text == "loopback secret" and listener.accepted == 1
    assert resolver.lookups == {"rebind.test": 2}


class _Site(BaseHTTPRequestHandler):
    """The 'public' site: /a redirects to the www twin's /b, which is a page."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        port = self.server.server_address[1]
        if self.path == "/compare/a-vs-b":
            self.send_response(301)
            self.send_header("Location", f"http://www.site.test:{port}/compare/b-vs-c")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body>the public page</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_each_redirect_hop_connects_to_its_own_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    evil = Listener("127.0.0.2", port)  # where a second lookup would send the client
    try:
        resolver = Rebinding(monkeypatch, {"site.test": PUBLIC, "www.site.test": PUBLIC_WWW},
                             later="127.0.0.2")
        net = Network(monkeypatch, route={PUBLIC: "127.0.0.1", PUBLIC_WWW: "127.0.0.1"})
        base = f"http://site.test:{port}"

        async def fetch() -> Any:
            async with Fetcher(base, CFG) as f:
                return await f.fetch(base + "/compare/a-vs-b")

        result = asyncio.run(fetch())
        assert result.outcome == "fetched", result
        assert result.body == b"<html><body>the public page</body></html>"
        assert [e.status for e in result.exchanges] == [301, 200]
        assert net.connects == [PUBLIC, PUBLIC_WWW]
        assert resolver.lookups == {"site.test": 1, "www.site.test": 1}
        assert evil.accepted == 0
        # SNI and the Host header keep the name (the connection alone is pinned)
        headers = {k.lower(): v for k, v in result.exchanges[1].request_headers}
        assert headers["host"] == f"www.site.test:{port}"
    finally:
        evil.close()
        server.shutdown()
        server.server_close()


def test_a_host_never_checked_is_not_connected_to() -> None:
    backend = PinnedBackend(Pins())

    async def connect() -> None:
        await backend.connect_tcp("127.0.0.1", 9)

    with pytest.raises(httpcore.ConnectError, match="no address approved"):
        asyncio.run(connect())


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_loopback_replica_is_pinned_to_itself(host: str) -> None:
    with Replica(day=0, scale=10, crawl_delay=None) as r:
        base = f"http://{host}:{r.port}"
        page = r.catalog.paths()[0]

        async def fetch() -> Any:
            async with Fetcher(base, CFG) as f:
                res = await f.fetch(base + page)
                return res, f.pins.get(host, r.port)

        result, pinned = asyncio.run(fetch())
        assert result.outcome == "fetched" and result.body
        assert "127.0.0.1" in pinned and all(ip in ("127.0.0.1", "::1") for ip in pinned)
        assert [e.path for e in settle(r)] == [page]
