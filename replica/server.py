"""The HTTP server: a threaded HTTP/1.1 keep-alive server on loopback serving one day's site.

Responses are rendered once per (page version, template) and cached with their gzip form and
ETag; per request the server only routes, checks validators and faults, and writes bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from replica import render
from replica.catalog import DEFAULT_TEMPLATE_DAY, Catalog, World, day_date
from replica.faults import PDF_BODY, PNG_BODY, Fault, FaultPlan, malformed_html, parse_profiles
from replica.vocab import PERSONAS

SERVER_NAME = "shiporskip-replica/1.0"
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/javascript")
OVERSIZED_BYTES = 20 * 1024 * 1024


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


@dataclass
class Rendered:
    """A cacheable representation: body, validators, and its gzip form made on demand."""

    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: datetime | None = None
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    _gz: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gz is None:
            self._gz = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gz

    @property
    def compressible(self) -> bool:
        return self.content_type.startswith(TEXT_TYPES) and len(self.body) > 200


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'


def _ok(body: bytes, content_type: str, last_modified: datetime | None = None,
        status: int = 200) -> Rendered:
    return Rendered(body, content_type, _etag(body) if status == 200 else None,
                    last_modified, status)


HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


class _LRU:
    """A thread-safe least-recently-used cache of rendered responses."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data: OrderedDict[Hashable, Rendered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Rendered]) -> Rendered:
        with self.lock:
            hit = self.data.get(key)
            if hit is not None:
                self.data.move_to_end(key)
                return hit
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.cap:
                self.data.popitem(last=False)
        return value


class Site:
    """Everything served on one day; immutable once built (set_day swaps in a new one)."""

    def __init__(self, catalog: Catalog, base_url: str, *, sitemaps: bool,
                 crawl_delay: float | None, page_cache: _LRU) -> None:
        self.catalog = catalog
        self.base_url = base_url
        self.sitemaps = sitemaps
        self.crawl_delay = crawl_delay
        self.epoch = catalog.template
        self.page_cache = page_cache
        self.cache = _LRU(2048)
        paths = catalog.paths()
        self.chunk = max(100, len(paths) // 20)
        self.chunks = [paths[i:i + self.chunk] for i in range(0, len(paths), self.chunk)]
        self.start_mono = time.monotonic()
        self.tool_lastmod = {s: catalog.tool_lastmod(s) for s in catalog.tools}

    # -- helpers --------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated clock for the Date header: noon of the day, then real seconds."""
        d = day_date(self.catalog.day)
        noon = datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
        return noon + timedelta(seconds=int(time.monotonic() - self.start_mono))

    def sitemap_name(self, i: int) -> str:
        return f"/sitemaps/compare-{i + 1}.xml" + (".gz" if i % 2 == 1 else "")

    # -- routes ---------------------------------------------------------------------------

    def comparison(self, path: str) -> Rendered | None:
        page = self.catalog.comparison(path)
        if page is None:
            return None
        key = (path, page.version, self.epoch, self.base_url)
        return self.page_cache.get(key, lambda: _ok(
            render.render_comparison(page, base_url=self.base_url, epoch=self.epoch), HTML,
            page.lastmod))

    def error(self, status: int, path: str) -> Rendered:
        r = self.cache.get(("error", status), lambda: Rendered(
            render.render_error(status, "/", base_url=self.base_url, epoch=self.epoch), HTML,
            status=status))
        return r

    def route(self, path: str, query: str) -> Rendered:
        """The response for a path (faults aside): an exact path, else a path prefix."""
        if path.startswith("/compare/"):
            return self._compare(path)
        exact = _EXACT_ROUTES.get(path)
        if exact is not None:
            return exact(self, path, query)
        for prefix, handler in _PREFIX_ROUTES:
            if path.startswith(prefix):
                return handler(self, path, query)
        return self.error(404, path)

    def _compare(self, path: str) -> Rendered:
        """A comparison page; its trailing-slash and reversed-pair forms redirect."""
        cat = self.catalog
        rest = path[len("/compare/"):]
        if rest.endswith("/") and rest.strip("/"):
            return redirect(301, path.rstrip("/"))
        r = self.comparison(path)
        if r is not None:
            return r
        if path in cat.gone:
            return self.error(cat.gone[path], path)
        if "-vs-" in rest:  # the same pair in the other order
            for i in range(len(rest)):
                i = rest.find("-vs-", i)
                if i < 0:
                    break
                swapped = f"/compare/{rest[i + 4:]}-vs-{rest[:i]}"
                if swapped in cat.pages:
                    return redirect(301, swapped)
        return self.error(404, path)

    def _route_home(self, path: str, query: str) -> Rendered:
        return self.cache.get("home", self._home)

    def _route_robots(self, path: str, query: str) -> Rendered:
        return self.cache.get("robots", lambda: _ok(render.render_robots(
            self.base_url, sitemaps=self.sitemaps, crawl_delay=self.crawl_delay),
            "text/plain; charset=utf-8"))

    def _route_sitemap(self, path: str, query: str) -> Rendered:
        if not self.sitemaps:
            return self.error(404, path)
        return self.cache.get(("sitemap", path), lambda: self._sitemap(path))

    def _route_index(self, path: str, query: str) -> Rendered:
        return self.cache.get(("index", path), lambda: self._index(path))

    def _route_tool(self, path: str, query: str) -> Rendered:
        slug = path[len("/tool/"):]
        if slug not in self.catalog.tools:
            return self.error(404, path)
        return self.cache.get(("tool", slug), lambda: self._tool(slug))

    def _route_tools(self, path: str, query: str) -> Rendered:
        cat = self.catalog
        return self.cache.get("tools", lambda: _ok(render.render_tools_index(
            sorted(((s, t.tool.name) for s, t in cat.tools.items()), key=lambda x: x[1]),
            base_url=self.base_url, epoch=self.epoch), HTML))

    def _route_reviewer(self, path: str, query: str) -> Rendered:
        return self._reviewer(path[len("/reviewer/"):].strip("/"), query)

    def _route_search(self, path: str, query: str) -> Rendered:
        cat = self.catalog
        q = parse_qs(query).get("q", [""])[0].lower()
        hits = [(p, cat.title(p)) for p in cat.paths() if q and q in cat.title(p).lower()]
        return _ok(render.render_search(q, hits[:50], base_url=self.base_url,
                                        epoch=self.epoch), HTML)

    def _route_api(self, path: str, query: str) -> Rendered:
        return self._api(path)

    def _route_asset(self, path: str, query: str) -> Rendered:
        ctype = "text/css" if path.endswith(".css") else "application/javascript"
        return _ok(b"/* replica asset */\n", f"{ctype}; charset=utf-8")

    def _route_static(self, path: str, query: str) -> Rendered:
        return self.cache.get(("static", path), lambda: _ok(render._simple(
            path.strip("/").capitalize(), self.base_url + path, self.epoch,
            [f"<main><h1>{path.strip('/').capitalize()}</h1><p>Ship or Skip compares new "
             "AI tools with a panel of critics.</p></main>"]), HTML))

    def _home(self) -> Rendered:
        cat = self.catalog
        paths = cat.paths()
        latest = [(p, cat.title(p)) for p in reversed(paths[-60:])]
        tools = sorted(((s, t.tool.name) for s, t in cat.tools.items()),
                       key=lambda x: x[1])[:40]
        return _ok(render.render_home(latest, tools, len(paths), base_url=self.base_url,
                                      epoch=self.epoch), HTML)

    def _index(self, path: str) -> Rendered:
        per = 200
        paths = self.catalog.paths()
        pages = max(1, -(-len(paths) // per))
        if path == "/comparisons/":
            n = 1
        else:
            try:
                n = int(path.rsplit("/", 1)[-1])
            except ValueError:
                return self.error(404, path)
        if not 1 <= n <= pages:
            return self.error(404, path)
        entries = [(p, self.catalog.title(p)) for p in paths[(n - 1) * per:n * per]]
        return _ok(render.render_index(entries, n, pages, base_url=self.base_url,
                                       epoch=self.epoch), HTML)

    def _tool(self, slug: str) -> Rendered:
        cat = self.catalog
        tool = cat.tool(slug)
        assert tool is not None
        comps = [(r.path, cat.title(r.path)) for r in cat.tool_pages(slug)]
        return _ok(render.render_tool(tool, comps, base_url=self.base_url, epoch=self.epoch),
                   HTML, self.tool_lastmod[slug])

    def _reviewer(self, persona_slug: str, query: str) -> Rendered:
        persona = next((p for p in PERSONAS if p.lower() == persona_slug.lower()), None)
        if persona is None:
            return self.error(404, "/reviewer/" + persona_slug)
        category = parse_qs(query).get("category", [None])[0]

        def make() -> Rendered:
            tools = [self.catalog.tool(s) for s in sorted(self.catalog.tools)]
            chosen = [t for t in tools if t is not None and (category is None
                                                              or t.category == category)]
            return _ok(render.render_reviewer(persona, category, chosen[:100],
                                              base_url=self.base_url, epoch=self.epoch,
                                              query=query), HTML)
        return self.cache.get(("reviewer", persona, category), make)

    def _api(self, path: str) -> Rendered:
        if path.startswith("/api/compare/"):
            page = self.catalog.comparison("/compare/" + path[len("/api/compare/"):])
            if page is not None:
                body = json.dumps(page.expected(), ensure_ascii=False).encode()
                return _ok(body, "application/json")
        body = json.dumps({"error": "not found"}).encode()
        return Rendered(body, "application/json", status=404)

    def _sitemap(self, path: str) -> Rendered:
        cat, base = self.catalog, self.base_url
        if path in ("/sitemap.xml", "/sitemap_index.xml"):
            entries = []
            for i, chunk in enumerate(self.chunks):
                entries.append((base + self.sitemap_name(i),
                                max(cat.lastmod(p) for p in chunk)))
            entries.append((base + "/sitemaps/tools.xml", max(self.tool_lastmod.values())))
            return _ok(render.render_sitemap_index(entries), XML)
        if path == "/sitemaps/tools.xml":
            entries = [(f"{base}/tool/{s}", self.tool_lastmod[s]) for s in sorted(cat.tools)]
            return _ok(render.render_urlset(entries, "weekly"), XML)
        for i, chunk in enumerate(self.chunks):
            if path == self.sitemap_name(i):
                xml = render.render_urlset([(base + p, cat.lastmod(p)) for p in chunk])
                if path.endswith(".gz"):
                    return _ok(gzip.compress(xml, mtime=0), "application/gzip")
                return _ok(xml, XML)
        return self.error(404, path)


_Route = Callable[[Site, str, str], Rendered]


def _moved(to: str) -> _Route:
    return lambda site, path, query: redirect(301, to)


def _short_link(site: Site, path: str, query: str) -> Rendered:
    return redirect(302, "/compare/" + path[3:])


#: Paths served as they are (`/compare/…` aside, which `Site.route` handles first).
_EXACT_ROUTES: dict[str, _Route] = {
    "/": Site._route_home,
    "/robots.txt": Site._route_robots,
    "/sitemap.xml": Site._route_sitemap,
    "/sitemap_index.xml": Site._route_sitemap,
    "/compare": _moved("/comparisons/"),
    "/comparisons": _moved("/comparisons/"),
    "/comparisons/": Site._route_index,
    "/tools": Site._route_tools,
    "/tools/": Site._route_tools,
    "/search": Site._route_search,
    **dict.fromkeys(("/about", "/methodology", "/privacy", "/terms"), Site._route_static),
}
#: Path prefixes, tried in order when no exact path matches (none is a prefix of another).
_PREFIX_ROUTES: tuple[tuple[str, _Route], ...] = (
    ("/sitemaps/", Site._route_sitemap),
    ("/comparisons/page/", Site._route_index),
    ("/tool/", Site._route_tool),
    ("/reviewer/", Site._route_reviewer),
    ("/r/", _short_link),
    ("/api/", Site._route_api),
    ("/_app/", Site._route_asset),
)

def redirect(status: int, location: str) -> Rendered:
    body = (f'<!DOCTYPE html><html><head><title>Moved</title></head><body><p>Moved to '
            f'<a href="{render.attr(location)}">{render.esc(location)}</a>.</p></body></html>'
            ).encode()
    return Rendered(body, HTML, status=status, headers=[("Location", location)])


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
