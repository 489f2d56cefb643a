"""A local Wayback Machine over the replica's past captures: real pywb, on loopback.

    caps = build_collection(root, base_url=site.base_url, days=range(10), oddities=True)
    with LocalWayback(root) as wb:
        httpx.get(wb.cdx_url, params={"url": host + "/compare/*", "output": "json"})
        httpx.get(wb.memento_url(caps[0].timestamp, caps[0].url))   # raw bytes (id_)
        httpx.get(wb.ia_cdx_url, params=...)   # the same index shaped like web.archive.org

pywb 2.10 lives in its own venv (`make wayback`), so it only runs as a subprocess
(`pywb_bin`). `LocalWayback` starts `wayback` in its own process group, waits until it
answers, and kills the group on stop(); started from the main thread it also gets a Linux
parent-death signal (SIGTERM), so a killed test run or CLI does not leave pywb behind.
`id_` mementos carry the original status and body; pywb renames most original headers to
X-Archive-Orig-* (Date, Server, ETag, Last-Modified), keeping Content-Type and Location.

Two CDX endpoints, because pywb's CDX server API is not web.archive.org's:

* `cdx_url` = pywb's own `/<collection>/cdx`. `output=json` gives JSON *lines*, one object
  per capture with keys urlkey, timestamp, url, mime, status, digest, length, offset,
  filename (+ pywb's source, source-coll, access), all values strings; no header row.
  Without output=json it answers CDXJ text (`urlkey timestamp {json}`), not 7 space-separated
  fields. `collapse=digest` is IGNORED (digest duplicates come back); `filter=statuscode:200`
  works (pywb maps the IA names statuscode/mimetype/original), as do from/to/limit/matchType
  and `url=host/path*`. No captures → 200 with an empty body. An `id_` memento at an inexact
  timestamp is served directly (the closest capture, see Memento-Datetime), not redirected.
* `ia_cdx_url` = `/cdx/search/cdx` on a small in-process adapter in front of pywb, answering
  like web.archive.org: `output=json` → one JSON array whose first row is the field names
  [urlkey, timestamp, original, mimetype, statuscode, digest, length] (`[]` when empty),
  text → space-separated lines; `fl=`, `collapse=field[:N]` (adjacent rows),
  `limit`. `ia_memento_url` = `/web/<ts>id_/<url>` on the adapter: raw bytes from pywb,
  and a 302 to the exact timestamp when the asked one is not a capture's (as IA does).
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from replica._loopback import LoopbackHandler, LoopbackServer, free_port
from replica.captures import (
    ArchivedCapture,
    CaptureKind,
    build_collection,
    noon_stamp,
    sha1_base32,
    wayback_timestamp,
)

__all__ = ["ArchivedCapture", "CaptureKind", "LocalWayback", "build_collection",
           "noon_stamp", "pywb_bin", "sha1_base32", "wayback_timestamp"]

REPO = Path(__file__).resolve().parents[1]
IA_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_PYWB_NAMES = {"original": "url", "mimetype": "mime", "statuscode": "status"}
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}
PR_SET_PDEATHSIG = 1


def pywb_bin(name: str = "wayback") -> Path:
    """A pywb executable: $VERDICTS_PYWB_BIN_DIR/<name>, else .venv-wayback/bin/<name>."""
    env = os.environ.get("VERDICTS_PYWB_BIN_DIR")
    where = Path(env) if env else REPO / ".venv-wayback" / "bin"
    path = where / name
    if not path.is_file():
        raise FileNotFoundError(f"pywb is not installed (run `make wayback`): no {path}")
    return path


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """preexec_fn: SIGTERM the child when the parent thread dies (Linux; no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _death_signal() -> Callable[[], None] | None:
    """The parent-death signal fires when the *thread* that started the child ends, so it is
    only set from the main thread; elsewhere stop() (the process group) is the only way."""
    return _die_with_parent if threading.current_thread() is threading.main_thread() else None


def fetch(base: str, target: str, timeout: float = 30.0) -> tuple[int, list[tuple[str, str]],
                                                                  bytes]:
    """GET base+target without following redirects: (status, headers, body)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                      timeout=timeout)
    try:
        conn.request("GET", target)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


class LocalWayback:
    """pywb's `wayback` over `root` on 127.0.0.1 (context manager), plus the IA adapter."""

    def __init__(self, root: Path, *, collection: str = "replica", port: int = 0,
                 startup_timeout: float = 90.0) -> None:
        self.root = Path(root)
        self.collection = collection
        self.port = port
        self.startup_timeout = startup_timeout
        self.log_path = self.root / "pywb.log"
        self.startup_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._adapter = LoopbackServer(_IAHandler, self, name="ia-adapter")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdx_url(self) -> str:
        return f"{self.base}/{self.collection}/cdx"

    def memento_url(self, timestamp: str, url: str) -> str:
        """The raw (`id_`) memento URL on pywb."""
        return f"{self.base}/{self.collection}/{timestamp}id_/{url}"

    @property
    def ia_base(self) -> str:
        return self._adapter.base

    @property
    def ia_cdx_url(self) -> str:
        return f"{self.ia_base}/cdx/search/cdx"

    def ia_memento_url(self, timestamp: str, url: str) -> str:
        """The raw memento URL on the web.archive.org-shaped adapter."""
        return f"{self.ia_base}/web/{timestamp}id_/{url}"

    def start(self) -> LocalWayback:
        """Start pywb and the adapter; return once pywb answers a CDX query."""
        if self._proc is not None:
            return self
        if not (self.root / "collections" / self.collection).is_dir():
            raise FileNotFoundError(f"no collection {self.collection!r} under {self.root}")
        self.port = self.port or free_port()
        cmd = [str(pywb_bin("wayback")), "-p", str(self.port), "-b", "127.0.0.1",
               "-d", str(self.root), "-t", "8"]
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(cmd, cwd=self.root, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          preexec_fn=_death_signal(),
                                          start_new_session=True)
        try:
            self._wait_ready(started)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        self._adapter.start()
        return self

    def _wait_ready(self, started: float) -> None:
        probe = f"/{self.collection}/cdx?url=example.invalid/&output=json"
        while True:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"pywb exited with {self._proc.returncode}:\n"
                                   + self._log_tail())
            with contextlib.suppress(OSError, http.client.HTTPException):
                if fetch(self.base, probe, timeout=5)[0] == 200:
                    return
            if time.monotonic() - started > self.startup_timeout:
                raise RuntimeError(f"pywb did not answer on {self.base} within "
                                   f"{self.startup_timeout:.0f}s:\n" + self._log_tail())
            time.sleep(0.1)

    def _log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        """Stop the adapter and kill pywb's process group."""
        self._adapter.stop()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)
                return

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> LocalWayback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ia_rows(objects: list[dict[str, str]], query: list[tuple[str, str]]) -> list[list[str]]:
    """pywb JSON-lines objects → web.archive.org CDX rows (collapse, limit and fl applied)."""
    rows = [[o.get(_PYWB_NAMES.get(f, f), "-") for f in IA_FIELDS] for o in objects]
    for value in (v for k, v in query if k == "collapse"):
        name, _, n = value.partition(":")
        if name not in IA_FIELDS:
            continue
        i, width = IA_FIELDS.index(name), int(n) if n.isdigit() else None
        kept: list[list[str]] = []
        for row in rows:
            if not kept or kept[-1][i][:width] != row[i][:width]:
                kept.append(row)
        rows = kept
    limit = dict(query).get("limit")
    if limit and limit.lstrip("-").isdigit():
        count = int(limit)
        rows = rows[:count] if count >= 0 else rows[count:]
    fl = dict(query).get("fl")
    if fl:
        idx = [IA_FIELDS.index(f) for f in fl.split(",") if f in IA_FIELDS]
        rows = [[r[i] for i in idx] for r in rows]
    return rows


class _IAHandler(LoopbackHandler):
    """web.archive.org's /cdx/search/cdx and /web/<ts>id_/<url>, answered from pywb."""

    owner: LocalWayback

    def do_GET(self) -> None:
        if self.path.startswith("/cdx/search/cdx"):
            self._cdx()
        elif self.path.startswith("/web/"):
            self._memento()
        else:
            self.send_body(404, b"not found\n")

    def _cdx(self) -> None:
        query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        passed = [(k, v) for k, v in query if k in ("url", "matchType", "from", "to", "filter")]
        wb = self.owner
        status, _, body = fetch(wb.base, f"/{wb.collection}/cdx?"
                                + urlencode([*passed, ("output", "json")]))
        if status != 200:
            self.send_body(status, body)
            return
        objects = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        rows = ia_rows(objects, query)
        if dict(query).get("output") == "json":
            fl = dict(query).get("fl")
            header = [f for f in fl.split(",") if f in IA_FIELDS] if fl else list(IA_FIELDS)
            out = json.dumps([header, *rows] if rows else []).encode()
            self.send_body(200, out, "application/json")
        else:
            text = "".join(" ".join(r) + "\n" for r in rows)
            self.send_body(200, text.encode(), "text/plain")

    def _memento(self) -> None:
        rest = self.path[len("/web/"):]
        ts, _, url = rest.partition("/")
        digits = ts.removesuffix("id_")
        wb = self.owner
        status, headers, body = fetch(wb.base, f"/{wb.collection}/{digits}id_/{url}")
        got = {k.lower(): v for k, v in headers}.get("memento-datetime")
        if got:
            actual = wayback_timestamp(parsedate_to_datetime(got))
            if actual != digits:
                self.send_body(302, b"", headers=[
                    ("Location", f"{wb.ia_base}/web/{actual}id_/{url}")])
                return
        lower = {k.lower(): v for k, v in headers}
        kept = [(k, v) for k, v in headers if k.lower() not in _HOP | {"content-type"}]
        ctype = lower.get("content-type", "text/plain")
        self.send_body(status, body, ctype, kept)
