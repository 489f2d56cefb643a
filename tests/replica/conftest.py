"""The replica tests' shared fixtures: one day-0 replica per module, and a client on it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from replica import Replica


@pytest.fixture(scope="module")
def site() -> Iterator[Replica]:
    with Replica(day=0) as rep:
        yield rep


@pytest.fixture(scope="module")
def client(site: Replica) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base_url, timeout=10) as c:
        yield c
