"""A small threaded HTTP/1.1 server on loopback, shared by the archive stand-ins.

`LoopbackServer(handler_cls)` serves `handler_cls` (a `LoopbackHandler` subclass whose
`owner` is set to the server's owner object) in a daemon thread; start/stop/context manager.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64


class LoopbackHandler(BaseHTTPRequestHandler):
    """Base handler: keep-alive HTTP/1.1, quiet, with a helper that sends a whole body."""

    protocol_version = "HTTP/1.1"
    owner: Any = None  # set on the per-server subclass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def send_body(self, status: int, body: bytes, content_type: str = "text/plain",
                  headers: list[tuple[str, str]] | None = None, head: bool = False) -> None:
        """Send a complete response with Content-Length."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        for k, v in headers or []:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class LoopbackServer:
    """Serve a handler class on 127.0.0.1 in a background thread."""

    def __init__(self, handler: type[LoopbackHandler], owner: object, *,
                 host: str = "127.0.0.1", port: int = 0, name: str = "loopback") -> None:
        self._handler = type(f"{name}Handler", (handler,), {"owner": owner})
        self.host = host
        self.port = port
        self.name = name
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{self.name} is not serving: start() it first")
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _Server((self.host, self.port), self._handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name=f"{self.name}:{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for subprocesses that cannot bind port 0)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
