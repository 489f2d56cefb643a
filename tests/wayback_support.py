"""Pytest fixtures for backfill tests: the replica's past as a real local Wayback and a
Common Crawl stand-in.

Bind the fixtures you use (and those they depend on) in your test module; pytest finds them
by name (plain assignments, so ruff's F811 does not fire on the test arguments):

    import wayback_support as ws
    archive_replica, wayback_archive, local_wayback = (
        ws.archive_replica, ws.wayback_archive, ws.local_wayback)

The session fixtures are made once per test session however many modules bind them.

* `archive_replica` (session): a running `Replica` (seed `SEED` = 1, scale `SCALE` = 100
  pages, small because pywb's CDX answers ~1 ms per line) serving day
  `TODAY` = 10, the day after the archived ones. Treat it as read-only (no set_day): the
  captures embed its base URL, so a live crawl of it shares URLs with the backfill.
* `wayback_archive` (session): `Archive` = the pywb root built by `build_collection` for
  days `BACKFILL_DAYS` = 0..9 with oddities on; `.captures` (every `ArchivedCapture`),
  `.comparisons` (kind "comparison"), `.collapsed()` (those minus digest duplicates:
  what a backfill should import), `.of_kind(kind)`, `.expected(capture)` = what a correct
  parser returns for that capture (`Catalog(world, day).comparison(path).expected(url)`), `.host`
  ("127.0.0.1:P", for `url=<host>/compare/*`), `.replica_base`, `.world`, `.build_seconds`.
* `local_wayback` (session): `WaybackSite` = the archive plus `.wayback`, a running
  `LocalWayback` (real pywb; `.cdx_url`, `.memento_url(ts, url)`, and the web.archive.org-
  shaped `.ia_cdx_url`, `.ia_memento_url(ts, url)`).
* `common_crawl` (session): `CommonCrawlSite` = the archive plus `.cc`, a running
  `CommonCrawlIndex` over the same WARCs, crawls = ISO weeks (`.crawls`: crawl id → captures,
  oldest first).

Put a `replica.FaultProxy(site.wayback.base, first=2)` in front of either for throttling
tests (function-scoped: it counts requests).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from replica import (
    ArchivedCapture,
    CaptureKind,
    Catalog,
    CommonCrawlIndex,
    LocalWayback,
    Replica,
    World,
    build_collection,
    weekly_crawls,
)

BACKFILL_DAYS = range(10)
TODAY = 10
SEED = 1
SCALE = 100
T = TypeVar("T")


@dataclass
class Archive:
    """A built local archive of the replica's past comparison pages."""

    root: Path
    replica_base: str
    captures: list[ArchivedCapture]
    world: World
    build_seconds: float
    _catalogs: dict[int, Catalog] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.replica_base.split("://", 1)[1]

    @property
    def comparisons(self) -> list[ArchivedCapture]:
        return [c for c in self.captures if c.kind == CaptureKind.COMPARISON]

    def collapsed(self) -> list[ArchivedCapture]:
        """Good comparison captures with digest duplicates dropped (IA's collapse=digest:
        a capture whose URL's previous capture had the same digest), in CDX order."""
        out: list[ArchivedCapture] = []
        last: dict[str, str] = {}
        for c in self.captures:  # (url, timestamp) order
            if c.status == 200 and last.get(c.url) != c.digest and \
                    c.kind == CaptureKind.COMPARISON:
                out.append(c)
            last[c.url] = c.digest
        return out

    def of_kind(self, kind: str) -> list[ArchivedCapture]:
        return [c for c in self.captures if c.kind == kind]

    def catalog(self, day: int) -> Catalog:
        if day not in self._catalogs:
            self._catalogs[day] = Catalog(self.world, day)
        return self._catalogs[day]

    def expected(self, capture: ArchivedCapture) -> dict[str, Any]:
        """What a correct parser returns for a comparison (or bad_digest) capture."""
        page = self.catalog(capture.day).comparison(capture.path)
        if page is None:
            raise ValueError(f"{capture.kind} capture {capture.url} holds no comparison page")
        return page.expected(capture.url)


@dataclass(kw_only=True)
class WaybackSite(Archive):
    """The archive served by a running local pywb."""

    wayback: LocalWayback


@dataclass(kw_only=True)
class CommonCrawlSite(Archive):
    """The archive served as Common Crawl crawls."""

    cc: CommonCrawlIndex
    crawls: dict[str, list[ArchivedCapture]]


def _clone(archive: Archive) -> dict[str, Any]:
    return {"root": archive.root, "replica_base": archive.replica_base,
            "captures": archive.captures, "world": archive.world,
            "build_seconds": archive.build_seconds}


#: What the session fixtures made, shared by every module that binds them: pytest registers
#: a fixture imported into a test module per module, so without this each module would
#: start its own replica and pywb. Closed by the first binding's session teardown.
_SHARED: dict[str, Any] = {}


def _once(request: pytest.FixtureRequest, key: str,
          make: Callable[[contextlib.ExitStack], T]) -> T:
    """The session-wide value for `key`, made (with its cleanups on a stack) on first use."""
    if key not in _SHARED:
        stack = contextlib.ExitStack()
        try:
            _SHARED[key] = make(stack)
        except BaseException:
            stack.close()
            raise

        def close() -> None:
            _SHARED.pop(key, None)
            stack.close()

        request.addfinalizer(close)
    value: T = _SHARED[key]
    return value


@pytest.fixture(scope="session")
def archive_replica(request: pytest.FixtureRequest) -> Replica:
    """The live replica the archive captured (serving TODAY)."""
    return _once(request, "replica", lambda stack: stack.enter_context(
        Replica(day=TODAY, seed=SEED, scale=SCALE)))


@pytest.fixture(scope="session")
def wayback_archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    archive_replica: Replica) -> Archive:
    """Days 0..9 of the replica as a pywb collection, oddities included."""

    def make(stack: contextlib.ExitStack) -> Archive:
        root = tmp_path_factory.mktemp("wayback")
        started = time.monotonic()
        caps = build_collection(root, base_url=archive_replica.base_url, days=BACKFILL_DAYS,
                                seed=SEED, scale=SCALE, oddities=True)
        return Archive(root, archive_replica.base_url, caps, archive_replica.world,
                       time.monotonic() - started)

    return _once(request, "archive", make)


@pytest.fixture(scope="session")
def local_wayback(request: pytest.FixtureRequest, wayback_archive: Archive) -> WaybackSite:
    """A real pywb over the archive."""
    return _once(request, "wayback", lambda stack: WaybackSite(
        **_clone(wayback_archive),
        wayback=stack.enter_context(LocalWayback(wayback_archive.root))))


@pytest.fixture(scope="session")
def common_crawl(request: pytest.FixtureRequest,
                 wayback_archive: Archive) -> CommonCrawlSite:
    """The archive's WARCs as weekly Common Crawl crawls."""

    def make(stack: contextlib.ExitStack) -> CommonCrawlSite:
        crawls = weekly_crawls(wayback_archive.captures)
        cc = stack.enter_context(CommonCrawlIndex(wayback_archive.root, crawls))
        return CommonCrawlSite(**_clone(wayback_archive), cc=cc, crawls=crawls)

    return _once(request, "common_crawl", make)
