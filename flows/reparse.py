"""Rebuild the warehouse's parsed tables from the WARCs alone: a new PARSER_VERSION means
a reparse, not a refetch. As a Prefect flow (:func:`reparse_archive`) or without Prefect
(:func:`reparse`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prefect import flow

from archive import crawl_run_of, iter_payloads, warc_files
from flows import settings
from flows.executors import Executor, ThreadExecutor
from flows.ingest import batched
from flows.nightly import prefect_executor
from flows.payloads import CRAWL, IMPORT, Payload, parser_version
from flows.progress import run_logger
from flows.summary import publish_snapshot
from warehouse import connect, load_captures

__all__ = ["captures_from_warc", "reparse", "reparse_archive", "reparse_pipeline"]

_LOAD_KEYS = ("captures_new", "captures_existing", "failures", "tools", "reviews")


def captures_from_warc(path: Path, data: Path) -> Iterator[Payload]:
    """The page captures held by one WARC, as the crawl or the import made them.

    Crawl WARCs (crawl-<run_id>-…): 200 HTML responses of comparison URLs, source
    'crawl', source_ref the run id. Other WARCs (imports): what `verdicts import` reads
    (200 responses and text resources), source 'import', source_ref the WARC's path.
    """
    from parsers import is_comparison_url

    rel = os.path.relpath(path, data)
    run_id = crawl_run_of(path)
    for p in iter_payloads(path):
        if run_id is not None:
            if p.record_type != "response" or p.http_status != 200:
                continue
            if not p.url or not is_comparison_url(p.url):
                continue
        elif p.http_status is not None and p.http_status != 200:
            continue
        yield Payload.from_archived(
            p, source=CRAWL if run_id is not None else IMPORT,
            source_ref=run_id if run_id is not None else rel, warc_path=rel,
        )


def reparse_pipeline(data_dir: str | None, executor: Executor, *, db: str | None = None,
                     batch_size: int = 200) -> dict[str, Any]:
    """Re-parse every page payload in the archive and reload it (replace=True)."""
    logger = run_logger()
    data = settings.data_dir(data_dir).resolve()
    db_path = Path(db) if db else settings.db_path(data)
    version = parser_version()
    files = warc_files(settings.archive_dir(data))
    con = connect(db_path)
    totals: dict[str, Any] = {"warcs": len(files), "payloads": 0, "captures_new": 0,
                              "captures_existing": 0, "failures": 0, "tools": 0, "reviews": 0}
    try:
        futures = []
        for path in files:
            try:
                for chunk in batched(captures_from_warc(path, data), batch_size):
                    totals["payloads"] += len(chunk)
                    futures.append(executor.submit("parse", items=chunk,
                                                   parser_version=version))
            except Exception as exc:  # noqa: BLE001 - a torn/corrupt file: keep the rest
                totals.setdefault("unreadable", []).append(f"{path.name}: {exc}")
                logger.warning("reparse: %s unreadable past some point: %s", path, exc)
        for fut in futures:
            loaded = load_captures(con, fut.result(), replace=True)
            for key in _LOAD_KEYS:
                totals[key] += getattr(loaded, key)
        logger.info("reparse with parser %s: %s", version, totals)
        publish_snapshot(con, db_path)
    finally:
        con.close()
    totals["parser_version"] = version
    return totals


@flow(name="reparse-archive", persist_result=False)
def reparse_archive(data_dir: str | None = None, *, db: str | None = None,
                    batch_size: int = 200) -> dict[str, Any]:
    """Rebuild the warehouse's parsed tables from the WARCs alone (no fetching).

    Every capture in the archive is parsed again with the current parser and loaded with
    ``load_captures(..., replace=True)``; `db` loads into another warehouse file (e.g. a
    fresh one, to check the archive alone rebuilds it).
    """
    return reparse_pipeline(data_dir, prefect_executor(), db=db, batch_size=batch_size)


def reparse(data_dir: str | None = None, *, db: str | None = None) -> dict[str, Any]:
    """:func:`reparse_archive` without Prefect."""
    executor = ThreadExecutor()
    try:
        return reparse_pipeline(data_dir, executor, db=db)
    finally:
        executor.close()
