"""The replica's fault profiles: which URLs fail, how, and that the rest are spared."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest
from replica_log import wait_for_entry, wait_for_log

from replica import PROFILES, Replica, parse_profiles


def test_fault_profiles_parse() -> None:
    assert parse_profiles("5xx, slow") == ("5xx", "slow")
    assert parse_profiles("all") == tuple(PROFILES)
    assert parse_profiles(None) == ()
    with pytest.raises(ValueError):
        parse_profiles("gremlins")


def _faulty(rep: Replica, profile: str) -> dict:
    paths = rep.faulty_paths(profile)
    share = len(rep.faulty_paths()) / len(rep.catalog.paths())
    assert paths and share < 0.4
    return paths


@pytest.fixture(scope="module")
def faulty() -> Iterator[Replica]:
    with Replica(day=1, faults="all", slow_delay=1.0, oversized_bytes=3_000_000) as rep:
        yield rep


def test_fault_share_of_one_profile() -> None:
    rep = Replica(day=0, faults="5xx")
    share = len(rep.faulty_paths()) / len(rep.catalog.paths())
    assert 0.08 <= share <= 0.22


def test_5xx_and_429_heal_or_stay(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for profile in ("5xx", "429"):
            for path, fault in _faulty(faulty, profile).items():
                statuses = [c.get(path).status_code for _ in range(3)]
                if fault.permanent:
                    assert statuses == [fault.status] * 3
                else:
                    assert statuses[: fault.failures] == [fault.status] * fault.failures
                    assert statuses[fault.failures:] == [200] * (3 - fault.failures)
                if profile == "429":
                    faulty.reset_attempts()
                    assert c.get(path).headers["retry-after"] == "1"
        assert {e.fault for e in faulty.requests} >= {"5xx", "429"}


def test_slow_is_slower_than_a_short_timeout(faulty: Replica) -> None:
    path, fault = next(iter(_faulty(faulty, "slow").items()))
    with httpx.Client(base_url=faulty.base_url, timeout=0.3) as c, \
            pytest.raises(httpx.TimeoutException):
        c.get(path)
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        t0 = time.monotonic()
        assert c.get(path).status_code == 200
        took = time.monotonic() - t0
        assert took >= 0.9 if fault.active(1) else took < 0.9


def test_reset_and_truncated_break_the_response(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for profile, error in (("reset", httpx.ReadError),
                               ("truncated", httpx.RemoteProtocolError)):
            path, fault = next(iter(_faulty(faulty, profile).items()))
            faulty.reset_attempts()
            with pytest.raises(error):
                c.get(path, headers={"accept-encoding": "identity"})
            entry = wait_for_entry(faulty, path)
            assert entry.fault == profile and entry.bytes_sent > 0
            if not fault.permanent:
                for _ in range(fault.failures - 1):
                    with pytest.raises(httpx.TransportError):
                        c.get(path)
                assert c.get(path).status_code == 200


def test_oversized_is_big_every_time(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=10) as c:
        for path, fault in _faulty(faulty, "oversized").items():
            with c.stream("GET", path) as r:
                size = sum(len(b) for b in r.iter_raw())
            assert size >= 3_000_000 if fault.variant == "length" else size > 2_900_000
            assert ("content-length" in r.headers) == (fault.variant == "length")


def test_redirect_faults_point_where_they_should(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for path in _faulty(faulty, "redirect-private"):
            loc = c.get(path).headers["location"]
            assert loc.startswith(("http://169.254.169.254/", "http://10.0.0.1/"))
        for path in _faulty(faulty, "redirect-offsite"):
            loc = c.get(path).headers["location"]
            host = httpx.URL(loc).host
            assert host not in ("127.0.0.1", "localhost") and c.get(path).status_code == 301
        path = next(iter(_faulty(faulty, "redirect-loop")))
        with pytest.raises(httpx.TooManyRedirects):
            c.get(path, follow_redirects=True)


def test_malformed_and_wrong_content_type(faulty: Replica) -> None:
    with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
        for path in _faulty(faulty, "malformed"):
            r = c.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            assert b"\xff" in r.content and not r.content.rstrip().endswith(b"</html>")
        for path, fault in _faulty(faulty, "content-type").items():
            r = c.get(path)
            expected = "application/pdf" if fault.variant == "pdf" else "image/png"
            assert r.headers["content-type"] == expected
            assert r.content[:4] in (b"%PDF", b"\x89PNG")


def test_faults_spare_other_urls_and_are_logged() -> None:
    with Replica(day=1, faults="all", slow_delay=0.5, oversized_bytes=200_000) as faulty:
        bad = faulty.faulty_paths()
        good = [p for p in faulty.catalog.paths() if p not in bad][:20]
        with httpx.Client(base_url=faulty.base_url, timeout=5) as c:
            assert all(c.get(p).status_code == 200 for p in good)
            first_of_each = {}
            for path, fault in bad.items():
                first_of_each.setdefault(fault.profile, path)
            for path in first_of_each.values():
                with contextlib.suppress(httpx.TransportError):  # resets, cut bodies
                    c.get(path, headers={"accept-encoding": "identity"})
        entries = wait_for_log(faulty, len(good) + len(first_of_each))
    profiles = {e.fault for e in entries if e.fault}
    assert profiles == set(first_of_each)
    assert profiles >= {"5xx", "429", "slow", "reset", "truncated", "oversized",
                        "redirect-private", "malformed", "content-type"}
    assert all(e.status == 200 for e in entries if e.path in good)
    other = Replica(day=1, faults="all", seed=1)
    assert {p: f.profile for p, f in other.faulty_paths().items()} == \
        {p: f.profile for p, f in bad.items()}
