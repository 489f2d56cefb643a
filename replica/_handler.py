"""One request: route it, check validators and faults, write the bytes, log the request."""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from replica._responses import HTML, Rendered, redirect
from replica._site import Site
from replica.faults import PDF_BODY, PNG_BODY, Fault, malformed_html

if TYPE_CHECKING:
    from replica.server import Replica

SERVER_NAME = "shiporskip-replica/1.0"


@dataclass
class RequestLogEntry:
    """One request as the server saw it (faulty ones included)."""

    time: float  # time.monotonic() when the request line was read
    method: str
    path: str  # with query
    headers: dict[str, str]  # lower-case keys
    status: int
    bytes_sent: int  # body bytes actually written
    client: str
    connection_id: int
    started: float
    finished: float
    fault: str | None = None  # the fault profile applied, if any


def _accepts_gzip(value: str | None) -> bool:
    if not value:
        return False
    for part in value.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return True
            return True
    return False


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    core = etag.strip('"')
    for tag in header.split(","):
        t = tag.strip().removeprefix("W/").strip('"').removesuffix("-gz")
        if t == core:
            return True
    return False


_REASONS = {s.value: s.phrase for s in HTTPStatus}


class Handler(BaseHTTPRequestHandler):
    """Serves the replica's current Site; every request goes to the replica's log."""

    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    timeout = 60  # idle keep-alive connections are closed after a minute
    replica: Replica  # set on the subclass made per Replica

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection_id = self.replica._next_connection_id()
        self.replica._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.replica._track(self.connection, False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        with self.replica._answering():
            self._serve(head=False)

    def do_HEAD(self) -> None:
        with self.replica._answering():
            self._serve(head=True)

    def do_POST(self) -> None:
        """Anything but GET/HEAD: 405 (logged like every request)."""
        with self.replica._answering():
            self._refuse()

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._started = time.monotonic()
        self._send(Rendered(b"Method Not Allowed\n", "text/plain", status=405,
                            headers=[("Allow", "GET, HEAD")]), head=False, gz=False)
        self._log(405, 0, None)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    # -- the request ----------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        self._started = time.monotonic()
        rep = self.replica
        site = rep._serving()
        split = urlsplit(self.path)
        path = unquote(split.path) or "/"
        attempt = rep._next_attempt(path)
        fault: Fault | None = None
        if path in site.catalog.pages and site.catalog.pages[path].seed is None:
            fault = rep._faults.assign(path)
            if fault is not None and not fault.active(attempt):
                fault = None
        try:
            if fault is not None:
                self._fault(site, path, split.query, fault, head)
                return
            resp = site.route(path, split.query)
            self._respond(resp, head)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            self._log(getattr(self, "_status", 0), getattr(self, "_sent", 0),
                      fault.profile if fault else None)

    def _respond(self, resp: Rendered, head: bool, fault: str | None = None) -> None:
        status = resp.status
        if status == 200 and resp.etag:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            not_modified = False
            if inm is not None:
                not_modified = _etag_matches(inm, resp.etag)
            elif ims is not None and resp.last_modified is not None:
                try:
                    since = parsedate_to_datetime(ims)
                    if since.tzinfo is None:
                        since = since.replace(tzinfo=UTC)
                    not_modified = resp.last_modified.replace(microsecond=0) <= since
                except (TypeError, ValueError, IndexError):
                    not_modified = False
            if not_modified:
                self._send_head(304, self._validators(resp, False), None)
                self._log(304, 0, fault)
                return
        gz = resp.compressible and _accepts_gzip(self.headers.get("Accept-Encoding"))
        sent = self._send(resp, head, gz)
        self._log(status, sent, fault)

    def _validators(self, resp: Rendered, gz: bool) -> list[tuple[str, str]]:
        out = []
        if resp.etag:
            out.append(("ETag", resp.etag[:-1] + '-gz"' if gz else resp.etag))
        if resp.last_modified:
            out.append(("Last-Modified", format_datetime(resp.last_modified, usegmt=True)))
        if resp.status == 200:
            out.append(("Cache-Control", "public, max-age=300"))
        if resp.compressible:
            out.append(("Vary", "Accept-Encoding"))
        return out

    def _send_head(self, status: int, headers: list[tuple[str, str]],
                   length: int | None, extra: bytes = b"") -> None:
        self._status = status
        self._sent = 0
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
                 f"Date: {format_datetime(self.replica._serving().now(), usegmt=True)}",
                 f"Server: {SERVER_NAME}"]
        lines += [f"{k}: {v}" for k, v in headers]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if self.close_connection:
            lines.append("Connection: close")
        else:
            lines.append("Connection: keep-alive")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + extra)
        self._sent = len(extra)

    def _send(self, resp: Rendered, head: bool, gz: bool) -> int:
        body = resp.gzipped() if gz else resp.body
        headers = [("Content-Type", resp.content_type)]
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        headers += self._validators(resp, gz)
        headers += resp.headers
        self._send_head(resp.status, headers, len(body), b"" if head else body)
        return self._sent

    def _log(self, status: int, sent: int, fault: str | None) -> None:
        finished = time.monotonic()
        self.replica._log(RequestLogEntry(
            time=self._started, method=self.command, path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()}, status=status,
            bytes_sent=sent, client=f"{self.client_address[0]}:{self.client_address[1]}",
            connection_id=self.connection_id, started=self._started, finished=finished,
            fault=fault))

    # -- faults ---------------------------------------------------------------------------

    def _fault(self, site: Site, path: str, query: str, fault: Fault, head: bool) -> None:
        p = fault.profile
        if p in ("5xx", "429"):
            err = site.error(fault.status, path)
            extra = [("Retry-After", str(fault.retry_after))] if fault.retry_after else []
            resp = Rendered(err.body, HTML, status=fault.status, headers=extra)
            self._respond(resp, head, p)
            return
        if p == "slow":
            self.replica._stopping.wait(self.replica.slow_delay)
            self._respond(site.route(path, query), head, p)
            return
        if p.startswith("redirect-"):
            self._respond(redirect(fault.status, fault.location), head, p)
            return
        if p == "content-type":
            body, ctype = (PDF_BODY, "application/pdf") if fault.variant == "pdf" else (
                PNG_BODY, "image/png")
            self._respond(Rendered(body, ctype), head, p)
            return
        page = site.route(path, query)
        if p == "malformed":
            self._respond(Rendered(malformed_html(page.body, path), HTML), head, p)
            return
        if p in ("reset", "truncated"):
            body = page.body
            part = body[: len(body) // 2]
            headers = [("Content-Type", HTML), *self._validators(page, False)]
            self.close_connection = True
            self._send_head(200, headers, len(body), b"" if head else part)
            sent = self._sent
            if p == "reset":
                conn = self.connection
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()
                conn.close()
            self._log(200, sent, p)
            return
        if p == "oversized":
            self._oversized(page.body, fault, head)
            return
        raise AssertionError(p)

    def _oversized(self, page: bytes, fault: Fault, head: bool) -> None:
        size = self.replica.oversized_bytes
        start = page[: page.find(b"<main")] if b"<main" in page else b"<html><body>"
        filler = (b"<p>" + b"ship or skip " * 5000 + b"</p>\n")
        tail = b"</body></html>\n"
        body_len = size
        chunked = fault.variant == "chunked"
        headers = [("Content-Type", HTML)]
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        self.close_connection = True
        self._send_head(200, headers, None if chunked else body_len)
        sent = 0
        if not head:
            def emit(data: bytes) -> None:
                nonlocal sent
                if chunked:
                    self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                else:
                    self.wfile.write(data)
                sent += len(data)
            try:
                emit(start)
                while sent + len(filler) + len(tail) <= body_len:
                    if self.replica._stopping.is_set():
                        break
                    emit(filler)
                emit((b" " * (body_len - sent - len(tail))) + tail if body_len > sent + len(tail)
                     else tail)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                pass
        self._log(200, sent, "oversized")
