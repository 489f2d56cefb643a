"""One writer at a time across the Prefect deployments: the global concurrency limit
``verdict-archive-writer`` (1 slot), held by a nightly crawl or a reparse for its whole run.

Each deployment's own ``concurrency_limit: 1`` keeps two crawls apart, but not a crawl and
a reparse. Both flows take this slot; a second run waits (Running, in its own process)
until the first lets go. The limit is made on the Prefect server the first time a flow
or `verdicts schedule` needs it (or by hand: ``prefect gcl create verdict-archive-writer
--limit 1``); a limit that exists is left as it is.

Without a Prefect server (a command's temporary one) there is no one to share the slot
with: the data directory's own writer lock keeps commands apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["WRITER_LIMIT", "ensure_writer_limit", "writer_slot"]

#: The name of the global concurrency limit every warehouse writer holds.
WRITER_LIMIT = "verdict-archive-writer"


def has_server() -> bool:
    """Is a Prefect server configured (PREFECT_API_URL, in the environment or a profile)?"""
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def ensure_writer_limit() -> None:
    """Create the limit, with 1 slot, on the configured Prefect server unless it exists."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        except ObjectNotFound:
            with contextlib.suppress(ObjectAlreadyExists):  # another run made it just now
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))


@contextmanager
def writer_slot() -> Iterator[None]:
    """Hold the writer slot for the body (waiting for it as long as another run holds
    it), when a Prefect server is configured; else do nothing."""
    if not has_server():
        yield
        return
    from prefect.concurrency.sync import concurrency

    ensure_writer_limit()
    # A lease renewal that fails once (a busy server) must not kill a night's crawl.
    with concurrency(WRITER_LIMIT, occupy=1, strict=True,
                     raise_on_lease_renewal_failure=False):
        yield
