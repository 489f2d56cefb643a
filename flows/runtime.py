"""Process setup for running the Prefect flows from a terminal.

It imports no Prefect itself: the settings it makes are read when Prefect is imported,
so call it first.
"""

from __future__ import annotations

import os


def quiet_prefect(verbose: bool) -> None:
    """Unless `verbose`, keep Prefect's (and Dask's) run logs off the terminal.

    Sets environment defaults only: a value the user exported wins.
    """
    if verbose:
        return
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # Dask's INFO chatter
