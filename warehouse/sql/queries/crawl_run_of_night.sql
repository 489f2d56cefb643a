-- Returns (run_id, observed_at) of the run of a simulated night: the latest run for a base
-- URL and observed_at (params: base_url, observed_at), whatever its status; no row when
-- there is none. A night is one run: a start killed after the run was closed (or after
-- its publish) resumes it, and re-planning finds nothing left to fetch.
SELECT run_id, observed_at FROM crawl_run
WHERE base_url = ? AND simulated AND observed_at = ?
ORDER BY started_at DESC LIMIT 1;
