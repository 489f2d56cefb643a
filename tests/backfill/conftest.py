"""The backfill tests' fixtures: the local archives and a fresh BackfillSpec."""

from backfill_support import spec_for  # noqa: F401 - pytest finds fixtures by name
from wayback_support import (  # noqa: F401
    archive_replica,
    common_crawl,
    local_wayback,
    wayback_archive,
)
