"""The loopback rule: robots.txt ignored or an unlimited rate only for a test server."""

from __future__ import annotations

import pytest

from crawler import unsafe_options_problem as only_problem


@pytest.mark.parametrize("base", ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:80",
                                  "http://10.0.0.5", "http://192.168.1.2:8080"])
def test_loopback_and_private_targets_may_do_anything(base: str) -> None:
    assert only_problem(base, obey_robots=False, rate=0) is None
    assert only_problem(base, obey_robots=True, rate=None) is None


def test_public_targets_must_obey_robots_and_a_rate() -> None:
    base = "https://shiporskip.io"
    assert only_problem(base, obey_robots=True, rate=1.0) is None
    assert only_problem(base, obey_robots=True, rate=None) is None
    robots = only_problem(base, obey_robots=False, rate=1.0)
    rate = only_problem(base, obey_robots=True, rate=0)
    for message in (robots, rate):
        assert message is not None and "only allowed" in message and base in message
        assert "\n" not in message
    assert robots is not None and "robots" in robots
    assert rate is not None and "rate" in rate


@pytest.mark.parametrize("bad", ["ftp://x.io", "not a url", "https://", ""])
def test_a_bad_base_url_raises(bad: str) -> None:
    with pytest.raises(ValueError):
        only_problem(bad, obey_robots=True, rate=1.0)
