"""A circuit breaker per host: stop requesting a host that does not answer.

A site that is down must not be hammered: without a breaker, every planned URL is tried
`max_attempts` times (300 known pages and a refused connection made 1,212 requests). The
breaker counts, per host, the consecutive requests that got no response at all
(connection refused or reset, DNS failure, a timeout before the response headers); any
response, even a 5xx or a body cut short, shows the host is up and resets the count.

Once `threshold` such failures in a row span at least `min_urls` different URLs, the
breaker opens and stays open for the rest of the run: the fetcher then sends nothing more
to that host and reports the URLs it did not request as skipped, reason ``host_down``
(the next run plans them again). Asking for several URLs keeps one page that hangs, and
its own retries, from looking like a dead host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HostBreaker"]


@dataclass
class _Streak:
    failures: int = 0
    urls: set[str] = field(default_factory=set)
    open: bool = False


@dataclass
class HostBreaker:
    """Consecutive connection failures per host; open after `threshold` of them over at
    least `min_urls` URLs (fewer when the threshold is lower). `threshold` 0 never opens.

    One breaker may be shared by several fetchers of the same run (one per batch), so
    the count carries from batch to batch.
    """

    threshold: int = 5
    min_urls: int = 3
    _hosts: dict[str, _Streak] = field(default_factory=dict, repr=False)

    def is_open(self, host: str) -> bool:
        """Has `host` been given up on for this run?"""
        streak = self._hosts.get(host)
        return streak is not None and streak.open

    def failure(self, host: str, url: str) -> bool:
        """Count a request to `url` on `host` that got no response; True when this one
        opened the breaker."""
        streak = self._hosts.setdefault(host, _Streak())
        streak.failures += 1
        streak.urls.add(url)
        if streak.open or self.threshold <= 0:
            return False
        if (streak.failures >= self.threshold
                and len(streak.urls) >= min(self.min_urls, self.threshold)):
            streak.open = True
            return True
        return False

    def success(self, host: str) -> None:
        """The host answered: its count starts again (an open breaker stays open)."""
        streak = self._hosts.get(host)
        if streak is not None and not streak.open:
            streak.failures = 0
            streak.urls.clear()

    def open_hosts(self) -> list[str]:
        """The hosts given up on, for the run's log."""
        return sorted(h for h, s in self._hosts.items() if s.open)
