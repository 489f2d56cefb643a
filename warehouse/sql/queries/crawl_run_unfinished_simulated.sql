-- Returns (run_id, observed_at) of the latest unfinished simulated run for a base URL and
-- observed_at (params: base_url, observed_at); no row when there is none.
SELECT run_id, observed_at FROM crawl_run
WHERE base_url = ? AND status = 'running' AND simulated AND observed_at = ?
ORDER BY started_at DESC LIMIT 1;
