-- Returns (run_id, observed_at) of the latest unfinished real run for a base URL that
-- started at or after a time (params: base_url, started_after); no row when there is none.
-- Unfinished: still 'running' (killed), or 'failed' before its end (finished_at NULL).
SELECT run_id, observed_at FROM crawl_run
WHERE base_url = ? AND status IN ('running', 'failed') AND finished_at IS NULL
  AND NOT simulated AND started_at >= ?
ORDER BY started_at DESC LIMIT 1;
