"""The HTTP server: a threaded HTTP/1.1 keep-alive server on loopback serving one day's site.

Here the `Replica` (lifecycle, the day, the request log, attempts and faults); the request
`Handler` is in `_handler`, one day's `Site` and its routes in `_site`, and the rendered
responses and their cache in `_responses`.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

from replica._handler import SERVER_NAME, Handler, RequestLogEntry
from replica._responses import _LRU
from replica._site import Site
from replica.catalog import DEFAULT_TEMPLATE_DAY, Catalog, World
from replica.faults import Fault, FaultPlan, parse_profiles

__all__ = ["OVERSIZED_BYTES", "SERVER_NAME", "Replica", "RequestLogEntry", "start_replica"]

OVERSIZED_BYTES = 20 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


class Replica:
    """A local copy of shiporskip.io on loopback (context manager; runs in a thread)."""

    def __init__(self, *, day: int = 0, faults: str | None = None, seed: int = 1,
                 scale: int | None = None, host: str = "127.0.0.1", port: int = 0,
                 sitemaps: bool = True, crawl_delay: float | None = 1.0,
                 slow_delay: float = 5.0, fault_rate: float | None = None,
                 template_day: int = DEFAULT_TEMPLATE_DAY,
                 oversized_bytes: int = OVERSIZED_BYTES,
                 vote_counts: str = "ship/all", steady: bool = False) -> None:
        if day < 0:
            raise ValueError("day must be >= 0")
        self.seed = seed
        self.scale = scale
        self.host = host
        self.port = port
        self.sitemaps = sitemaps
        self.crawl_delay = crawl_delay
        self.slow_delay = slow_delay
        self.template_day = template_day
        self.oversized_bytes = oversized_bytes
        self.fault_profiles = parse_profiles(faults)
        self._faults = FaultPlan(self.fault_profiles, seed, fault_rate)
        self.world = World(seed, scale, vote_counts, steady)
        self.requests: list[RequestLogEntry] = []
        self._log_lock = threading.Lock()
        self._in_flight = 0  # requests being answered and not logged yet
        self._all_logged = threading.Condition(self._log_lock)
        self._attempts: dict[str, int] = {}
        self._conn_ids = itertools.count(1)
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._page_cache = _LRU(4000)
        self.base_url = ""
        self._day = day
        self.catalog = Catalog(self.world, day, template_day)
        self._site: Site | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Replica:
        """Bind, build the day's site and serve in a background thread."""
        if self._server is not None:
            return self
        handler = type("ReplicaHandler", (Handler,), {"replica": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self.base_url = f"http://{host}:{self.port}"
        self._stopping.clear()
        self._site = self._make_site(self.catalog)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name=f"replica:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._log_lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the day --------------------------------------------------------------------------

    @property
    def day(self) -> int:
        return self._day

    def set_day(self, day: int) -> None:
        """Serve another day (earlier or later); attempt counters are kept."""
        if day < 0:
            raise ValueError("day must be >= 0")
        catalog = Catalog(self.world, day, self.template_day)
        self.catalog = catalog
        self._day = day
        if self._server is not None:
            self._site = self._make_site(catalog)

    def _serving(self) -> Site:
        """The site being served (the handler only runs while the replica serves)."""
        if self._site is None:
            raise RuntimeError("the replica is not serving: start() it first")
        return self._site

    def _make_site(self, catalog: Catalog) -> Site:
        return Site(catalog, self.base_url, sitemaps=self.sitemaps,
                    crawl_delay=self.crawl_delay, page_cache=self._page_cache)

    # -- log, attempts, faults ------------------------------------------------------------

    def clear_log(self, wait: float = 5.0) -> None:
        """Empty the request log (attempt counters are kept; see `reset_attempts`), once
        the requests being answered are logged (up to `wait` seconds): a request is logged
        after its answer, so its client can be done before its entry lands, and a late
        entry would otherwise turn up in the next, cleared, log."""
        with self._all_logged:
            self._all_logged.wait_for(lambda: self._in_flight == 0, timeout=wait)
            self.requests.clear()

    @contextlib.contextmanager
    def _answering(self) -> Iterator[None]:
        """Around one request's handling, answer and log entry included."""
        with self._log_lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._log_lock:
                self._in_flight -= 1
                if not self._in_flight:
                    self._all_logged.notify_all()

    def reset_attempts(self) -> None:
        """Forget attempt counts, so recoverable faults fail again."""
        with self._log_lock:
            self._attempts.clear()

    def attempts(self, path: str) -> int:
        """How many requests a path (without query) has had."""
        return self._attempts.get(path, 0)

    def fault_for(self, path: str) -> Fault | None:
        """The fault a comparison path carries, if any (whatever the attempt)."""
        rec = self.catalog.pages.get(path)
        if rec is None or rec.seed is not None:
            return None
        return self._faults.assign(path)

    def faulty_paths(self, profile: str | None = None) -> dict[str, Fault]:
        """Today's comparison paths that carry a fault (optionally of one profile)."""
        out = {}
        for path in self.catalog.paths():
            f = self.fault_for(path)
            if f is not None and (profile is None or f.profile == profile):
                out[path] = f
        return out

    def url(self, path: str) -> str:
        return self.base_url + path

    def _log(self, entry: RequestLogEntry) -> None:
        with self._log_lock:
            self.requests.append(entry)

    def _next_attempt(self, path: str) -> int:
        with self._log_lock:
            n = self._attempts.get(path, 0)
            self._attempts[path] = n + 1
            return n

    def _next_connection_id(self) -> int:
        with self._log_lock:
            return next(self._conn_ids)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._log_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)


def start_replica(**kwargs: Any) -> Replica:
    """A started Replica (`Replica(**kwargs).start()`; the options are Replica's)."""
    return Replica(**kwargs).start()
