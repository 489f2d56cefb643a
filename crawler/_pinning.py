"""Connect to the address the scope check approved, not to a second DNS answer.

The scope check (:mod:`crawler._scope`) resolves a host and refuses private addresses.
If the HTTP client then resolved the name again, a hostile DNS server could answer the
check with a public address and the connection with 127.0.0.1 (DNS rebinding). So the
fetcher's transport connects through :class:`PinnedBackend`: an httpcore network backend
whose ``connect_tcp`` looks the host up in the fetcher's :class:`Pins` (the addresses the
last check of that host:port approved) and connects to those addresses only; a host with
no checked address is refused. TLS is untouched: httpcore still sends the host name as
SNI and verifies the certificate against it, and the Host header comes from the URL.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

__all__ = ["PinnedBackend", "Pins", "new_client"]

_SSL_CONTEXT: ssl.SSLContext | None = None

_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"


def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one (CA bundle included) takes
    ~20 ms, and every fetch batch opens a client per concurrency slot."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def _key(host: str, port: int) -> tuple[str, int]:
    return host.strip("[]").lower().rstrip("."), port


class Pins:
    """The addresses each host:port may be connected to: set by the scope check."""

    def __init__(self) -> None:
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}

    def set(self, host: str, port: int, addresses: typing.Sequence[str]) -> None:
        """Approve `addresses` (and only those) for `host`:`port`."""
        self._pins[_key(host, port)] = tuple(addresses)

    def get(self, host: str, port: int) -> tuple[str, ...]:
        """The approved addresses of `host`:`port` (empty: never checked)."""
        return self._pins.get(_key(host, port), ())


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections to the pinned addresses of a host, trying them in order."""

    def __init__(self, pins: Pins, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.pins = pins
        self.inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self.pins.get(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} has no address approved by the "
                                        "scope check")
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address,
                                                    socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the crawler connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool given the pinned backend."""

    def __init__(self, pins: Pins, *, http2: bool, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context(), trust_env=False, http2=http2, limits=limits)
        # The pool httpx built resolves names itself; replace it with the same pool
        # connecting through the pins (httpx takes no network backend of its own).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=PinnedBackend(pins),
        )


def new_client(
    *,
    user_agent: str,
    http2: bool,
    connect_timeout: float,
    read_timeout: float,
    connections: int,
    pins: Pins,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An HTTP client for the fetcher: no redirects followed, no environment proxies, and
    connections only to pinned addresses (unless a test hands in its own `transport`)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    if transport is None:
        transport = _PinnedTransport(pins, http2=http2, limits=limits)
    return httpx.AsyncClient(
        http2=http2,
        follow_redirects=False,
        trust_env=False,
        verify=ssl_context(),
        transport=transport,
        timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout,
                              write=read_timeout, pool=None),
        limits=limits,
        headers={"User-Agent": user_agent, "Accept": _ACCEPT,
                 "Accept-Encoding": "gzip, deflate"},
    )
