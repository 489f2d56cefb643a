"""The defaults a real crawl of the live site uses."""

from __future__ import annotations

#: The live site: the default target of a real crawl.
LIVE_BASE_URL = "https://shiporskip.io"
#: Sent with every request, so the site's operators know who is calling and how to reach us.
USER_AGENT = "VerdictArchive/0.1 (+https://github.com/verdict-archive/verdict-archive)"
#: Politeness default for the live site: requests per second per host.
LIVE_RATE_PER_SECOND = 1.0
