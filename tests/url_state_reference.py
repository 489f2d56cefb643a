"""The old crawl layout, as a reference for crawl_url_state's tests: every row stored
(skipped-unchanged ones included) in a shadow table `ref_fetch`, and the views that read
it before crawl_url_state existed (warehouse/sql/020_crawl.sql at that time)."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from warehouse import crawl_state as state

#: The old layout's upsert (queries/crawl_fetch_upsert.sql before crawl_url_state), into
#: the shadow table: every row stored, a 304 never replacing the same run's 200.
REF_UPSERT = """
INSERT OR REPLACE INTO ref_fetch BY NAME
SELECT * REPLACE (coalesce(attempts, 0) AS attempts, coalesce(requests, 0) AS requests,
                  coalesce(bytes_received, 0) AS bytes_received,
                  coalesce(conditional, false) AS conditional)
FROM ref_batch n
WHERE NOT (n.outcome = 'not_modified' AND EXISTS (
    SELECT 1 FROM ref_fetch o WHERE o.run_id = n.run_id AND o.url = n.url
      AND o.outcome = 'fetched' AND o.http_status = 200))
"""

#: The old crawl_url_status, verbatim but for last_reason: max_by skips NULLs, so the old
#: view paired a 'fetched' with the reason of an older failure; the reason of the latest
#: row is what the column says it is (arg_max_null).
REF_STATUS = """
WITH ranked AS (
    SELECT f.*, r.started_at AS run_started_at
    FROM ref_fetch f JOIN crawl_run r USING (run_id)
    WHERE f.kind = 'page'
)
SELECT
    url,
    max_by(outcome, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_outcome,
    arg_max_null(reason, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_reason,
    max_by(run_id, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_run_id,
    max_by(in_sitemap, run_started_at)
        FILTER (WHERE outcome <> 'skipped' OR reason = 'unchanged') AS last_in_sitemap,
    max(run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_attempt_started_at
FROM ranked
GROUP BY url
"""

#: The old crawl_validators, verbatim.
REF_VALIDATORS = """
SELECT
    f.url, f.run_id, r.observed_at AS run_observed_at, f.fetched_at, f.http_status,
    f.etag, f.last_modified, f.sitemap_lastmod, f.payload_digest, f.capture_id
FROM ref_fetch f
JOIN crawl_run r USING (run_id)
WHERE f.kind = 'page' AND f.outcome IN ('fetched', 'not_modified')
QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC, f.run_id DESC) = 1
"""

#: The old crawl_run_summary's page counts, verbatim.
REF_COUNTS = """
SELECT r.run_id,
    count(f.url) FILTER (WHERE f.kind = 'page')                                 AS urls,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'fetched')           AS fetched,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'not_modified')      AS not_modified,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'gone')              AS gone,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'failed')            AS failed,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'skipped')           AS skipped,
    coalesce(sum(f.requests), 0)::BIGINT                                        AS requests
FROM crawl_run r
LEFT JOIN ref_fetch f USING (run_id)
GROUP BY ALL
"""
#: The new counts; URLs out of scope that an earlier run recorded get no row in the crawl
#: (nor in the shadow, which sees the same rows): counted in crawl_run_skip, left out here.
NEW_COUNTS = """
SELECT run_id, urls - coalesce((SELECT sum(k.pages) FROM crawl_run_skip k
                                WHERE k.run_id = s.run_id
                                  AND k.reason = 'not_a_comparison_page'), 0),
       fetched, not_modified, gone, failed, skipped, requests
FROM crawl_run_summary s
"""


def create_ref_table(con: duckdb.DuckDBPyConnection) -> None:
    """The shadow table: crawl_fetch's columns and key."""
    con.execute("CREATE TABLE ref_fetch AS SELECT * FROM crawl_fetch LIMIT 0")
    con.execute("ALTER TABLE ref_fetch ADD PRIMARY KEY (run_id, url)")


def ref_record(con: duckdb.DuckDBPyConnection, rows: Any) -> None:
    """`rows` into the shadow table the old way (later rows for a key win, no 304 over
    the same run's 200)."""
    schema = state.fetch_schema(con)
    unique = {(r["run_id"], r["url"]): {n: r.get(n) for n in schema.names} for r in rows}
    if not unique:
        return
    con.register("ref_batch", pa.Table.from_pylist(list(unique.values()), schema=schema))
    try:
        con.execute(REF_UPSERT)
    finally:
        con.unregister("ref_batch")


def assert_same_as_reference(con: duckdb.DuckDBPyConnection) -> None:
    """crawl_url_status, crawl_validators and crawl_run_summary's counts equal the old
    views over ref_fetch."""
    for new, ref in (("SELECT * FROM crawl_url_status", REF_STATUS),
                     ("SELECT * FROM crawl_validators", REF_VALIDATORS),
                     (NEW_COUNTS, REF_COUNTS)):
        got, want = sorted(con.execute(new).fetchall()), sorted(con.execute(ref).fetchall())
        assert got == want
