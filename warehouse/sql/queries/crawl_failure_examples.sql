-- Returns (reason, one example URL) per reason of a run's failed fetches (param: run_id).
SELECT reason, min(url) FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed'
GROUP BY reason;
