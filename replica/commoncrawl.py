"""A loopback stand-in for Common Crawl: index.commoncrawl.org and data.commoncrawl.org.

    caps = build_collection(root, base_url=..., days=range(10))
    with CommonCrawlIndex(root) as cc:           # crawls = ISO weeks: CC-MAIN-2025-23, -24
        httpx.get(cc.collinfo_url).json()        # [{"id", "name", "cdx-api", "from", "to", …}]
        httpx.get(cc.index_url("CC-MAIN-2025-23"),
                  params={"url": host + "/compare/*", "output": "json"})   # JSON lines
        httpx.get(cc.data_prefix + line["filename"],
                  headers={"Range": f"bytes={off}-{off + length - 1}"})    # 206, one gzip member

It reuses the WARC files of a `build_collection` root: each crawl's index lists its captures
with `filename` = crawl-data/<crawl>/segments/<segment>/warc/<file>, served from the
collection's archive/ directory. Crawls default to the ISO week of each capture (Common
Crawl's CC-MAIN-YYYY-WW naming); pass `crawls` to split captures otherwise.

The index answers like CC's pywb-based server: `url=` with a trailing `*` (or
matchType=prefix|exact|host|domain), `output=json` → one JSON object per line with string
values (urlkey, timestamp, url, mime, mime-detected, status, digest, length, offset,
filename, charset, languages); text output → `urlkey timestamp {json}` lines; `filter=`
(`[!][=~]field:value`; IA names statuscode/mimetype accepted), `from`, `to`, `limit`, `fl`,
`showNumPages=true`. No captures → 404 with `{"message": "No Captures found for: <url>"}`;
an unknown crawl → 404. Data requests honour one `Range: bytes=a-b` (206, Content-Range),
else 200 with the whole file; a range past the end → 416.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from replica._loopback import LoopbackHandler, LoopbackServer
from replica.captures import ArchivedCapture

_ALIASES = {"statuscode": "status", "mimetype": "mime", "original": "url"}
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def crawl_id(when: datetime) -> str:
    """Common Crawl's name for the crawl running in a capture's ISO week."""
    year, week, _ = when.isocalendar()
    return f"CC-MAIN-{year}-{week:02d}"


def weekly_crawls(captures: Sequence[ArchivedCapture]) -> dict[str, list[ArchivedCapture]]:
    """Captures grouped into crawls by ISO week, oldest crawl first."""
    out: dict[str, list[ArchivedCapture]] = {}
    for cap in sorted(captures, key=lambda c: c.captured_at):
        out.setdefault(crawl_id(cap.captured_at), []).append(cap)
    return out


@dataclass(frozen=True)
class IndexLine:
    """One CC index record (all values as strings, as the server sends them)."""

    urlkey: str
    timestamp: str
    fields: dict[str, str]  # url, mime, status, digest, length, offset, filename, …

    def to_json(self, fl: Sequence[str] | None = None) -> str:
        full = {"urlkey": self.urlkey, "timestamp": self.timestamp, **self.fields}
        return json.dumps({k: full[k] for k in fl if k in full} if fl else full)

    def field(self, name: str) -> str:
        name = _ALIASES.get(name, name)
        if name in ("urlkey", "timestamp"):
            return str(getattr(self, name))
        return self.fields.get(name, "")


@dataclass(frozen=True)
class Crawl:
    """One crawl: its id and index lines sorted by (urlkey, timestamp)."""

    id: str
    lines: tuple[IndexLine, ...]


def _segment(crawl: str, name: str) -> str:
    n = sum(map(ord, crawl + name)) % 100
    return f"17488{sum(map(ord, name)) % 100000:05d}{n:03d}.{n:02d}"


def _read_index(root: Path, collection: str) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(url, timestamp) → (urlkey, fields) from the collection's CDXJ index."""
    out = {}
    index = root / "collections" / collection / "indexes" / "index.cdxj"
    for line in index.read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, ts, blob = line.split(" ", 2)
            fields = json.loads(blob)
            out[(fields["url"], ts)] = (key, fields)
    return out


def _crawls(root: Path, collection: str,
            crawls: Mapping[str, Sequence[ArchivedCapture]] | None) -> dict[str, Crawl]:
    index = _read_index(root, collection)
    if crawls is None:
        groups: dict[str, list[tuple[str, str]]] = {}
        for url, ts in sorted(index, key=lambda k: k[1]):
            groups.setdefault(crawl_id(datetime.strptime(ts, "%Y%m%d%H%M%S")), []).append(
                (url, ts))
    else:
        groups = {c: [(cap.url, cap.timestamp) for cap in caps] for c, caps in crawls.items()}
    out = {}
    for crawl, keys in groups.items():
        lines = []
        for key in keys:
            urlkey, f = index[key]
            name = f["filename"]
            fields = {"url": f["url"], "mime": f.get("mime", "text/html"),
                      "mime-detected": f.get("mime", "text/html"), "status": f["status"],
                      "digest": f["digest"], "length": f["length"], "offset": f["offset"],
                      "filename": f"crawl-data/{crawl}/segments/{_segment(crawl, name)}"
                                  f"/warc/{name}",
                      "charset": "UTF-8", "languages": "eng"}
            lines.append(IndexLine(urlkey, key[1], fields))
        lines.sort(key=lambda x: (x.urlkey, x.timestamp))
        out[crawl] = Crawl(crawl, tuple(lines))
    return out


class CommonCrawlIndex:
    """index.commoncrawl.org + data.commoncrawl.org on 127.0.0.1 (context manager)."""

    def __init__(self, root: Path,
                 crawls: Mapping[str, Sequence[ArchivedCapture]] | None = None, *,
                 collection: str = "replica", port: int = 0) -> None:
        self.root = Path(root)
        self.archive = self.root / "collections" / collection / "archive"
        self.crawls = _crawls(self.root, collection, crawls)
        self.requests: list[tuple[str, int]] = []  # (path with query, status)
        self._server = LoopbackServer(_CCHandler, self, port=port, name="commoncrawl")

    @property
    def base(self) -> str:
        return self._server.base

    def index_url(self, crawl: str) -> str:
        return f"{self.base}/{crawl}-index"

    @property
    def data_prefix(self) -> str:
        return f"{self.base}/data/"

    @property
    def collinfo_url(self) -> str:
        return f"{self.base}/collinfo.json"

    def collinfo(self) -> list[dict[str, str]]:
        """The crawl list, newest first, shaped like CC's collinfo.json."""
        out = []
        for crawl in sorted(self.crawls, reverse=True):
            ts = [x.timestamp for x in self.crawls[crawl].lines] or ["19700101000000"]
            out.append({"id": crawl, "name": f"Replica crawl {crawl}",
                        "timegate": f"{self.base}/{crawl}/", "cdx-api": self.index_url(crawl),
                        "from": _iso(min(ts)), "to": _iso(max(ts))})
        return out

    def query(self, crawl: Crawl, params: list[tuple[str, str]]) -> list[IndexLine]:
        """The index lines a query selects (url/matchType, filter, from, to, limit)."""
        q = dict(params)
        url = q.get("url", "")
        match = q.get("matchType") or ("prefix" if url.endswith("*") else "exact")
        want = _bare(url.rstrip("*"))
        lines = [x for x in crawl.lines if _matches(_bare(x.fields["url"]), want, match)]
        for spec in (v for k, v in params if k == "filter"):
            lines = [x for x in lines if _filter(x, spec)]
        lo, hi = q.get("from", ""), q.get("to", "")
        lines = [x for x in lines if (not lo or x.timestamp >= lo.ljust(14, "0"))
                 and (not hi or x.timestamp <= hi.ljust(14, "9"))]
        if q.get("limit", "").isdigit():
            lines = lines[:int(q["limit"])]
        return lines

    def file_for(self, filename: str) -> Path | None:
        """The archive file behind a CC filename (crawl-data/…/warc/<name>)."""
        name = filename.rsplit("/", 1)[-1]
        path = self.archive / name
        return path if filename.startswith("crawl-data/") and path.is_file() else None

    def start(self) -> CommonCrawlIndex:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> CommonCrawlIndex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _iso(ts: str) -> str:
    return datetime.strptime(ts, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%S")


def _bare(url: str) -> str:
    """A URL without scheme and www., for matching a query against captures."""
    url = re.sub(r"^[a-z]+://", "", url.strip().lower())
    return url.removeprefix("www.")


def _matches(candidate: str, want: str, match: str) -> bool:
    if match == "prefix":
        return candidate.startswith(want)
    if match in ("host", "domain"):
        host = candidate.split("/", 1)[0]
        return host == want.split("/", 1)[0] or (match == "domain"
                                                 and host.endswith("." + want.split("/")[0]))
    return candidate == want


def _filter(line: IndexLine, spec: str) -> bool:
    invert = spec.startswith("!")
    spec = spec.lstrip("!")
    mode = spec[0] if spec[:1] in ("=", "~") else "re"
    name, _, value = spec.lstrip("=~").partition(":")
    got = line.field(name)
    if mode == "=":
        ok = got == value
    elif mode == "~":
        ok = value in got
    else:
        ok = re.match(value, got) is not None
    return ok != invert


class _CCHandler(LoopbackHandler):
    """Routes: /collinfo.json, /<crawl>-index?…, /data/<filename>."""

    owner: CommonCrawlIndex

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        cc = self.owner
        if path == "/collinfo.json":
            status = self._send(200, json.dumps(cc.collinfo(), indent=1).encode(),
                                "application/json", head=head)
        elif path.startswith("/data/"):
            status = self._data(path[len("/data/"):], head)
        elif path.endswith("-index") and path[1:-len("-index")] in cc.crawls:
            status = self._index(cc.crawls[path[1:-len("-index")]], parts.query, head)
        else:
            status = self._send(404, b"Not Found\n", head=head)
        cc.requests.append((self.path, status))

    def _send(self, status: int, body: bytes, ctype: str = "text/plain",
              headers: list[tuple[str, str]] | None = None, head: bool = False) -> int:
        self.send_body(status, body, ctype, headers, head)
        return status

    def _index(self, crawl: Crawl, query: str, head: bool) -> int:
        params = parse_qsl(query, keep_blank_values=True)
        q = dict(params)
        if not q.get("url"):
            return self._send(400, b'{"message": "The \\"url\\" param is required"}',
                              "application/json", head=head)
        lines = self.owner.query(crawl, params)
        if q.get("showNumPages") == "true":
            body = json.dumps({"pages": 1 if lines else 0, "pageSize": 5, "blocks": 1})
            return self._send(200, body.encode(), "application/json", head=head)
        if not lines or int(q.get("page", "0") or 0) > 0:
            msg = json.dumps({"message": f"No Captures found for: {q['url']}"})
            return self._send(404, msg.encode(), "application/json", head=head)
        fl = q["fl"].split(",") if q.get("fl") else None
        if q.get("output") == "json":
            body = "".join(x.to_json(fl) + "\n" for x in lines)
            return self._send(200, body.encode(), "text/x-ndjson", head=head)
        body = "".join(f"{x.urlkey} {x.timestamp} {x.to_json(fl)}\n" for x in lines)
        return self._send(200, body.encode(), "text/plain", head=head)

    def _data(self, filename: str, head: bool) -> int:
        path = self.owner.file_for(filename)
        if path is None:
            return self._send(404, b"NoSuchKey\n", head=head)
        size = path.stat().st_size
        rng = self.headers.get("Range")
        if rng is None:
            return self._send(200, path.read_bytes(), "application/octet-stream",
                              [("Accept-Ranges", "bytes")], head)
        m = _RANGE.match(rng.strip())
        if m is None or int(m.group(1)) >= size:
            return self._send(416, b"", headers=[("Content-Range", f"bytes */{size}")],
                              head=head)
        start = int(m.group(1))
        end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
        with path.open("rb") as f:
            f.seek(start)
            chunk = f.read(end - start + 1)
        return self._send(206, chunk, "application/octet-stream",
                          [("Content-Range", f"bytes {start}-{end}/{size}"),
                           ("Accept-Ranges", "bytes")], head)
