"""A rendered response (body, validators, gzip form) and the cache that keeps them.

Responses are rendered once per (page version, template) and cached with their gzip form and
ETag, so a request costs a lookup, not a render.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

from replica import render

TEXT_TYPES = ("text/", "application/xml", "application/json", "application/javascript")


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


def redirect(status: int, location: str) -> Rendered:
    body = (f'<!DOCTYPE html><html><head><title>Moved</title></head><body><p>Moved to '
            f'<a href="{render.attr(location)}">{render.esc(location)}</a>.</p></body></html>'
            ).encode()
    return Rendered(body, HTML, status=status, headers=[("Location", location)])
