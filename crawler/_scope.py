"""Which URLs a crawl may request: the target host (and its www. variant), never a
private address.

Two checks, in this order, for every URL and every redirect hop:

1. **Scope** (no network): http(s) only, on the target's host or its ``www.`` twin, on
   the target's port. A target on a private/loopback address (the local replica) is
   matched on its exact host:port alone.
2. **SSRF** (resolves the name): every address the host resolves to must be public —
   not private, loopback, link-local, multicast, reserved or unspecified — unless the
   target itself is such an address, and then only that exact host:port. The addresses
   checked are the ones the request connects to (:mod:`crawler._pinning`): the name is
   not resolved a second time.

A redirect that fails (1) is ``redirect_offsite``; one that fails (2), or points at a
private address literal, is ``redirect_private``.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from crawler._models import Reason

__all__ = ["Scope", "ScopeError", "is_public_address", "normalize_url", "unsafe_options_problem"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class ScopeError(Exception):
    """A URL the crawl must not request; `reason` is the outcome's reason."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def is_public_address(ip: str) -> bool:
    """True when `ip` is a globally routable unicast address (IPv4 or IPv6)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


@functools.lru_cache(maxsize=256)
def _ip_literal(host: str) -> str | None:
    """`host` as an IP address when it is one (cached: asked twice a request, of few hosts)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _host_port(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        port = -1
    return scheme, host, port


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop the default port and the fragment."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


@dataclass
class Scope:
    """The hosts a crawl of `base_url` may request, and the address checks on them."""

    base_url: str
    dns_ttl: float = 300.0
    _dns: dict[tuple[str, int], tuple[float, list[str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        scheme, host, port = _host_port(self.base_url)
        if scheme not in _DEFAULT_PORTS or not host:
            raise ValueError(f"base URL must be http(s)://host[:port], got {self.base_url!r}")
        self.scheme, self.host, self.port = scheme, host, port
        literal = _ip_literal(host)
        self.target_is_private = (
            (literal is not None and not is_public_address(literal)) or host in _LOCAL_NAMES
        )
        if self.target_is_private:
            self.hosts = frozenset({host})
        else:
            bare = host[4:] if host.startswith("www.") else host
            self.hosts = frozenset({bare, f"www.{bare}"})

    def _exact_target(self, host: str, port: int) -> bool:
        return host == self.host and port == self.port

    def in_scope(self, url: str) -> bool:
        """True when `url` is on the target (host or www. twin, same port), http(s)."""
        scheme, host, port = _host_port(url)
        if scheme not in _DEFAULT_PORTS or host not in self.hosts:
            return False
        if self.target_is_private:
            return self._exact_target(host, port)
        return port in (self.port, _DEFAULT_PORTS[scheme])

    def check_static(self, url: str, *, redirect: bool) -> None:
        """Raise :class:`ScopeError` when `url` fails the checks that need no DNS."""
        scheme, host, port = _host_port(url)
        literal = _ip_literal(host)
        private_literal = literal is not None and not is_public_address(literal)
        if (private_literal or host in _LOCAL_NAMES) and not (
            self.target_is_private and self._exact_target(host, port)
        ):
            raise ScopeError(Reason.REDIRECT_PRIVATE if redirect else Reason.OUT_OF_SCOPE,
                             f"{host}:{port} is a private address")
        if not self.in_scope(url):
            raise ScopeError(Reason.REDIRECT_OFFSITE if redirect else Reason.OUT_OF_SCOPE,
                             f"{url} is not on {self.host}")

    async def check(self, url: str, *, redirect: bool = False) -> tuple[str, ...]:
        """Raise :class:`ScopeError` unless `url` may be requested now; return the
        addresses the request must connect to (and no other: see crawler._pinning).

        Resolves the host once (cached for `dns_ttl` seconds) and refuses it when any of
        its addresses is private, except the target's own exact host:port when the
        target is private. An IP literal is its own address.
        """
        self.check_static(url, redirect=redirect)
        _, host, port = _host_port(url)
        literal = _ip_literal(host)
        if literal is not None:
            return (literal,)  # checked above
        ips = await self._resolve(host, port)
        if not ips:
            raise OSError(f"no address for {host}")
        if not self.target_is_private:  # a private target is held to its exact host:port
            for ip in ips:
                if not is_public_address(ip):
                    raise ScopeError(
                        Reason.REDIRECT_PRIVATE if redirect else Reason.PRIVATE_ADDRESS,
                        f"{host} resolves to {ip}")
        return tuple(ips)

    async def _resolve(self, host: str, port: int) -> list[str]:
        now = time.monotonic()
        cached = self._dns.get((host, port))
        if cached and cached[0] > now:
            return cached[1]
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # the resolver's order (its address preference), each address once
        ips = list(dict.fromkeys(str(info[4][0]) for info in infos
                                 if info[0] in (socket.AF_INET, socket.AF_INET6)))
        self._dns[(host, port)] = (now + self.dns_ttl, ips)
        return ips


def unsafe_options_problem(base_url: str, *, obey_robots: bool, rate: float | None) -> str | None:
    """Why a crawl of `base_url` with these settings is refused, or None when it is fine.

    Ignoring robots.txt and an unlimited rate (`rate == 0`) are for a loopback/private
    test server only, never for a public site. Raises ValueError on a bad base URL.
    """
    if Scope(base_url).target_is_private:
        return None
    only_for_tests = f"only allowed for a loopback/private test server, not {base_url}"
    if not obey_robots:
        return f"ignoring robots.txt is {only_for_tests}"
    if rate == 0:
        return f"an unlimited rate is {only_for_tests}"
    return None

