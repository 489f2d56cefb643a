"""The nightly crawl as a Prefect 3 flow: discover → plan → fetch → archive → parse →
load → summary (the pipeline is :mod:`flows.pipeline`; this module gives it Prefect).

* **discover** (one task): robots.txt, then the sitemaps it names;
* **plan** (in the flow): which pages to request tonight;
* **fetch + archive** (tasks of `batch_size` URLs, one after another): each page's
  exchanges to the run's WARC, then its row to the run's journal;
* **parse** (tasks, overlapping the next fetch batch): payloads → CaptureRecords;
* **load** (in the flow process, the warehouse's only writer); **summary**: a markdown
  artifact.

A run killed at any moment is resumed by the next start (a simulated night: the next start
with the same observed_at, whatever the run's status).

No `from __future__ import annotations` here: a served deployment sends the flow to its
run's process by value (cloudpickle keeps only the globals the code uses), and Prefect
validates the parameters against the annotations there. String annotations ("datetime")
could not be resolved in that process; real ones travel with the function.
"""

import logging
from datetime import datetime
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from crawler import LIVE_BASE_URL, Recheck
from flows.executors import PrefectExecutor
from flows.payloads import parse_batch
from flows.pipeline import CrawlParams, run_pipeline, validate
from flows.stages import discover_site, fetch_batch
from flows.writer_limit import writer_slot

__all__ = ["nightly_crawl", "prefect_executor"]

_TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
discover_task = task(name="discover", retries=2, retry_delay_seconds=2, **_TASK_OPTS)(
    discover_site)
fetch_task = task(name="fetch-batch", retries=2, retry_delay_seconds=2, **_TASK_OPTS)(
    fetch_batch)
parse_task = task(name="parse-batch", retries=1, retry_delay_seconds=1, **_TASK_OPTS)(
    parse_batch)
TASKS = {"discover": discover_task, "fetch": fetch_task, "parse": parse_task}


def prefect_executor(runner: Any | None = None, *, parallel_parse: bool = False
                     ) -> PrefectExecutor:
    """The stages as this module's Prefect tasks, on `runner` (None: the flow's own)."""
    return PrefectExecutor(TASKS, runner, parallel_parse=parallel_parse)


def _task_runner(name: str | None, dask_workers: int, dask_processes: bool) -> Any | None:
    if name in (None, "", "thread", "threads"):
        return None
    if name == "dask":
        from prefect_dask import DaskTaskRunner  # type: ignore[attr-defined]

        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={"n_workers": dask_workers, "processes": dask_processes,
                            "threads_per_worker": 2, "host": "127.0.0.1",
                            "dashboard_address": None, "silence_logs": logging.WARNING},
        )
    raise ValueError(f"task_runner must be 'thread' or 'dask', got {name!r}")


def _publish_artifact(summary: dict[str, Any]) -> None:
    """The run's summary as the flow run's markdown artifact 'nightly-crawl-summary'."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=summary["markdown"], key="nightly-crawl-summary",
        description=f"Crawl {summary['run_id']} of {summary['base_url']}",
    )


@flow(name="nightly-crawl", persist_result=False, log_prints=False)
def nightly_crawl(
    base_url: str = LIVE_BASE_URL,
    *,
    data_dir: str | None = None,
    observed_at: datetime | None = None,
    rate: float | None = None,
    concurrency: int | None = None,
    max_pages: int | None = None,
    recheck_days: int = 7,
    recheck: Recheck = Recheck.SPREAD,
    task_runner: str | None = None,
    obey_robots: bool = True,
    batch_size: int | None = None,
    fetch_options: dict[str, Any] | None = None,
    dask_workers: int = 2,
    dask_processes: bool = True,
) -> dict[str, Any]:
    """Crawl the site once: discover → fetch → archive → parse → load → summary.

    `observed_at` stamps the night (for simulated nights; the fetch still happens now);
    the run of the same observed_at is resumed, whatever its status. `rate` (requests/s,
    default the live 1/s; 0 = unlimited for benchmarks) and `concurrency` (default 2) are per
    host; robots.txt's Crawl-delay wins over a faster rate. `recheck` spreads the
    conditional rechecks of unchanged pages over the K nights (default) or rechecks a page
    K days after its last verification (`crawler.Recheck`). `batch_size`: pages per fetch
    task (default: about a minute of requests at the crawl's pace, 100 to 1,000 pages;
    :func:`crawler.paced_batch_size`). `task_runner` 'dask' runs
    the fetch and parse batches on a Dask LocalCluster. `fetch_options` overrides
    FetchConfig fields (timeouts, retries, size cap). Returns the summary dict and
    publishes it as a markdown artifact. On a Prefect server, the run holds the writer
    slot (:mod:`flows.writer_limit`) that a reparse also takes.
    """
    params = CrawlParams(
        base_url=base_url, data_dir=data_dir, observed_at=observed_at, rate=rate,
        concurrency=concurrency, max_pages=max_pages, recheck_days=recheck_days,
        recheck=Recheck(recheck),
        obey_robots=obey_robots, batch_size=batch_size, fetch_options=fetch_options,
    )
    validate(params)
    runner = _task_runner(task_runner, dask_workers, dask_processes)
    with writer_slot():  # one warehouse writer at a time across deployments
        if runner is None:
            return run_pipeline(params, prefect_executor(), publish=_publish_artifact)
        with runner:
            return run_pipeline(params, prefect_executor(runner, parallel_parse=dask_processes),
                                publish=_publish_artifact)
