-- Returns (kind, reason, n) of a run's failed fetches, most common first (param: run_id).
SELECT kind, coalesce(reason, 'unknown') AS reason, count(*) AS n
FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed'
GROUP BY ALL ORDER BY n DESC, reason;
