"""The Prefect flows, for real: flow and task runs against the session's Prefect test server
(`prefect_server` in tests/conftest.py), the markdown artifact, the Dask task runner on a
LocalCluster, and the reparse flow."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.nightly import nightly_crawl
from flows.progress import Stage
from flows.reparse import reparse_archive
from replica import Replica
from warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.5,
        "backoff_base": 0.05, "backoff_max": 0.2, "max_body_bytes": 512 * 1024}


def _task_runs(flow_run_id: object) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    async def go() -> list:
        async with get_client() as client:
            # every argument given: this Prefect's server refuses the nulls the client sends
            return await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200, offset=0)

    return asyncio.run(go())


def _latest_artifact(key: str) -> tuple[str, str]:
    """(flow_run_id, markdown) of the latest artifact under `key` (GET /artifacts/{key}/latest;
    this Prefect server refuses the artifact filter requests its own client sends)."""
    from prefect.client.orchestration import get_client

    async def go() -> dict:
        async with get_client() as client:
            response = await client._client.get(f"/artifacts/{key}/latest")
            response.raise_for_status()
            return response.json()

    art = asyncio.run(go())
    assert art["key"] == key and art["type"] == "markdown"
    return art["flow_run_id"], art["data"]


def test_nightly_crawl_flow_runs_tasks_in_batches_and_publishes_a_summary(
    prefect_server: None, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=120, crawl_delay=None) as r:
        kw = dict(data_dir=str(data), rate=60.0, concurrency=4, batch_size=50,
                  fetch_options=FAST)
        state = nightly_crawl(r.base_url, observed_at=datetime(2025, 6, 2, 3, tzinfo=UTC),
                              return_state=True, **kw)
        assert state.is_completed()
        summary = state.result()
        n = len(r.catalog.paths())
        assert summary["counts"]["new_pages"] == n
        runs = _task_runs(state.state_details.flow_run_id)
        names = sorted(t.name.rsplit("-", 1)[0] for t in runs)
        batches = -(-n // 50)
        assert names.count("fetch-batch") == batches and names.count("parse-batch") == batches
        assert names.count("discover") == 1
        assert all(t.state.is_completed() for t in runs)

        r.set_day(4)
        # 4 nights later with K=4: the unchanged pages are due for their 304 recheck
        state = nightly_crawl(r.base_url, observed_at=datetime(2025, 6, 6, 3, tzinfo=UTC),
                              return_state=True, recheck_days=4, **kw)
        summary = state.result()
        flow_run_id, md = _latest_artifact("nightly-crawl-summary")
        assert flow_run_id == str(state.state_details.flow_run_id)
    assert md == summary["markdown"]
    c = summary["counts"]
    assert f"# Nightly crawl {summary['run_id']}" in md
    row = (f"| {c['urls']} | {c['fetched']} | {c['not_modified']} | {c['new_pages']} | "
           f"{c['changed']} |")
    assert row in md
    assert "## Failed (retried by the next run)" in md
    assert "## Verdicts that changed tonight" in md
    assert c["changed"] > 0 and c["not_modified"] > 0
    for change in summary["verdict_changes"]:
        assert change["url"] in md and f"{change['old_value']} | {change['new_value']}" in md
    stages = summary["stage_s"]  # where the night's time went: every stage, in order
    assert list(stages) == [str(s) for s in Stage]
    assert 0 < stages["warehouse"] <= stages["batches"]  # the writes are part of the batches
    outer = [v for k, v in stages.items() if k not in ("warehouse", "summary")]
    # each figure is rounded to the millisecond: their sum may pass the rounded total by
    # half a millisecond a stage (3.291 s against a sum of 3.2910000000000004 once)
    assert sum(outer) <= summary["elapsed_s"] + 0.0005 * len(outer)
    assert f"- time by stage: open {stages['open']:.2f} s, start" in md


def test_dask_task_runner_on_a_local_cluster(prefect_server: None, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=40, crawl_delay=None) as r:
        state = nightly_crawl(
            r.base_url, data_dir=str(data), observed_at=datetime(2025, 6, 2, 3, tzinfo=UTC),
            rate=60.0, concurrency=4, batch_size=15, fetch_options=FAST,
            task_runner="dask", dask_workers=2, dask_processes=True, return_state=True)
        assert state.is_completed(), state
        summary = state.result()
        n = len(r.catalog.paths())
    assert summary["counts"]["new_pages"] == n and summary["counts"]["failed"] == 0
    runs = _task_runs(state.state_details.flow_run_id)
    assert sum(t.name.startswith("fetch-batch") for t in runs) == -(-n // 15)
    assert all(t.state.is_completed() for t in runs)
    con = connect(data / "verdicts.duckdb")
    assert con.execute("SELECT count(DISTINCT url) FROM capture").fetchall()[0][0] == n
    con.close()

    # the reparse flow rebuilds a fresh warehouse from these WARCs
    fresh = tmp_path / "fresh.duckdb"
    state = reparse_archive(str(data), db=str(fresh), return_state=True)
    assert state.is_completed() and state.result()["captures_new"] == n
