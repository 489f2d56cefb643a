-- Returns (run_id, observed_at) of the latest unfinished simulated run for a base URL and
-- observed_at (params: base_url, observed_at); no row when there is none.
-- Unfinished: still 'running' (killed), or 'failed' before its end (finished_at NULL).
SELECT run_id, observed_at FROM crawl_run
WHERE base_url = ? AND status IN ('running', 'failed') AND finished_at IS NULL
  AND simulated AND observed_at = ?
ORDER BY started_at DESC LIMIT 1;
