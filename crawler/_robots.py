"""robots.txt: what the crawl may fetch, how slowly, and where the sitemaps are.

Follows RFC 9309 where it speaks: a 4xx robots.txt (e.g. 404) allows everything; a 5xx
or an unreachable one disallows everything — unless a copy from an earlier successful
fetch is at hand, which is then used instead. Parsing is protego's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from protego import Protego

__all__ = ["RobotsPolicy", "robots_url", "user_agent_token"]

#: robots.txt bigger than this is cut (RFC 9309 asks parsers to read at least 500 KiB).
MAX_ROBOTS_BYTES = 512 * 1024


def robots_url(base_url: str) -> str:
    """The robots.txt URL of the site at `base_url`."""
    return urljoin(base_url, "/robots.txt")


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: 'VerdictArchive/0.1 (…)' ->
    'VerdictArchive'."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0].strip() or user_agent


@dataclass(frozen=True)
class RobotsPolicy:
    """The parsed robots.txt of one host, for one user agent.

    `mode` is 'rules' (a robots.txt was read), 'allow_all' (4xx: none exists) or
    'disallow_all' (5xx / unreachable, no earlier copy). `text` is kept so the policy can
    be handed to worker processes and rebuilt there.
    """

    user_agent: str
    mode: str = "allow_all"
    text: str = ""
    source: str = "none"  # 'fetched', 'cached', 'none'

    @classmethod
    def from_text(cls, text: str, user_agent: str, *, source: str = "fetched") -> RobotsPolicy:
        """A policy from robots.txt content."""
        return cls(user_agent=user_agent, mode="rules", text=text[:MAX_ROBOTS_BYTES], source=source)

    @classmethod
    def from_response(
        cls, status: int | None, body: bytes, user_agent: str, *, cached_text: str | None = None
    ) -> RobotsPolicy:
        """A policy from the robots.txt response: `status` None when no response came.

        2xx: its rules; 4xx: allow all; 5xx or no response: the cached copy when there is
        one, else disallow all.
        """
        if status is not None and 200 <= status < 300:
            return cls.from_text(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace"), user_agent)
        if status is not None and 400 <= status < 500:
            return cls(user_agent=user_agent, mode="allow_all", source="fetched")
        if cached_text is not None:
            return cls.from_text(cached_text, user_agent, source="cached")
        return cls(user_agent=user_agent, mode="disallow_all", source="none")

    @property
    def _parser(self) -> Protego | None:
        if self.mode != "rules":
            return None
        parsed = self.__dict__.get("_protego")
        if parsed is None:
            parsed = Protego.parse(self.text)
            object.__setattr__(self, "_protego", parsed)
        return parsed

    def allowed(self, url: str) -> bool:
        """May `url` be fetched?"""
        if self.mode == "allow_all":
            return True
        if self.mode == "disallow_all":
            return False
        parser = self._parser
        assert parser is not None
        return bool(parser.can_fetch(url, user_agent_token(self.user_agent)))

    @property
    def crawl_delay(self) -> float | None:
        """The Crawl-delay for our user agent (seconds), or None."""
        parser = self._parser
        if parser is None:
            return None
        delay = parser.crawl_delay(user_agent_token(self.user_agent))
        if delay is None:
            rate = parser.request_rate(user_agent_token(self.user_agent))
            if rate is not None and rate.requests:
                return rate.seconds / rate.requests
            return None
        return float(delay)

    @property
    def sitemaps(self) -> list[str]:
        """The Sitemap lines, in file order."""
        parser = self._parser
        return list(parser.sitemaps) if parser is not None else []

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_protego", None)  # rebuilt lazily in the receiving process
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
