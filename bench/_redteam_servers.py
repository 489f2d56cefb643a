"""The hostile network pieces of the red team, each a real socket in its own process:
``python -m bench._redteam_servers KIND DIR [ARGS]``. Each creates DIR/ready once it
listens and counts what it got in DIR/<KIND>.count.

* ``deaf-dns``: UDP 127.0.0.1:53, reads every query, never answers (also the resolver of
  tests/cli/test_network_exits.py).
* ``rebind-dns HOST PUBLIC``: UDP 127.0.0.1:53; the first A query for HOST gets PUBLIC,
  every later one 127.0.0.1 (DNS rebinding); AAAA gets no answer.
* ``site ADDRESS PORT NAME``: a small HTTP site on ADDRESS:PORT whose robots.txt and
  sitemap name http://NAME:PORT/… pages.
* ``secret PORT``: TCP 127.0.0.1:PORT, counts connections (what rebinding aims at).

And one in this process, `serve_silently()`: a loopback server that accepts connections
and never answers. The red team's silent-server row and the tests of honest exits
(tests/flows/test_failures.py, tests/cli/test_network_exits.py) all use this one.
"""

from __future__ import annotations

import http.server
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from replica._loopback import LoopbackHandler


def _count(work: Path, kind: str, n: int) -> None:
    (work / f"{kind}.count").write_text(str(n))


def deaf_dns(work: Path) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    (work / "ready").touch()
    n = 0
    while True:
        s.recvfrom(4096)
        n += 1
        _count(work, "deaf-dns", n)


def _question(query: bytes) -> tuple[str, int, int]:
    """(name, qtype, end offset of the question) of a DNS query."""
    labels, i = [], 12
    while query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode())
        i += 1 + query[i]
    qtype = struct.unpack("!H", query[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, i + 5


def rebind_dns(work: Path, host: str, public: str) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    (work / "ready").touch()
    answered = 0
    while True:
        query, peer = s.recvfrom(4096)
        name, qtype, end = _question(query)
        answers = b""
        if name == host and qtype == 1:
            ip = public if answered == 0 else "127.0.0.1"
            answered += 1
            _count(work, "rebind-dns", answered)
            answers = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4)
                       + socket.inet_aton(ip))
        rcode = 0 if name == host else 3
        header = query[:2] + struct.pack("!HHHHH", 0x8180 | rcode, 1,
                                         1 if answers else 0, 0, 0)
        s.sendto(header + query[12:end] + answers, peer)


def site(work: Path, address: str, port: int, name: str) -> None:
    base = f"http://{name}:{port}"
    pages = [f"/compare/tool-{i}-vs-tool-{i + 1}" for i in range(3)]
    hits = [0]

    class Site(LoopbackHandler):
        protocol_version = "HTTP/1.0"  # a connection per request, http.server's default

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits[0] += 1
            _count(work, "site", hits[0])
            if self.path == "/robots.txt":
                body, ctype = f"User-agent: *\nSitemap: {base}/sitemap.xml\n", "text/plain"
            elif self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages)
                body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                        f'schemas/sitemap/0.9">{locs}</urlset>')
                ctype = "application/xml"
            elif self.path in pages:
                body, ctype = "<html><body><h1>A vs B</h1></body></html>", "text/html"
            else:
                self.send_error(404)
                return
            self.send_body(200, body.encode(), ctype)

    srv = http.server.ThreadingHTTPServer((address, port), Site)
    (work / "ready").touch()
    srv.serve_forever()


def secret(work: Path, port: int) -> None:
    srv = socket.create_server(("127.0.0.1", port))
    (work / "ready").touch()
    n = 0
    while True:
        conn, _ = srv.accept()
        n += 1
        _count(work, "secret", n)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
        conn.close()


@contextmanager
def serve_silently() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server on a free loopback port, in a thread, that accepts every connection and
    never answers (a host that hangs, not one that refuses): (its URL, the connections it
    accepted so far). It and every accepted connection are closed on the way out."""
    srv = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except TimeoutError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}", held
    finally:
        stop.set()
        t.join()
        for s in [*held, srv]:
            s.close()


def main(argv: list[str]) -> None:
    kind, work, rest = argv[0], Path(argv[1]), argv[2:]
    if kind == "deaf-dns":
        deaf_dns(work)
    elif kind == "rebind-dns":
        rebind_dns(work, rest[0], rest[1])
    elif kind == "site":
        site(work, rest[0], int(rest[1]), rest[2])
    elif kind == "secret":
        secret(work, int(rest[0]))
    else:
        raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    main(sys.argv[1:])
