-- Returns (reason, url) of up to 3 example URLs per reason of a run's failed fetches,
-- in URL order (param: run_id).
SELECT reason, url FROM (
    SELECT coalesce(reason, 'unknown') AS reason, url,
           row_number() OVER (PARTITION BY coalesce(reason, 'unknown') ORDER BY url) AS k
    FROM crawl_fetch WHERE run_id = ? AND outcome = 'failed'
) WHERE k <= 3 ORDER BY reason, k;
