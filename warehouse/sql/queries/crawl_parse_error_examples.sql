-- Returns (parse_error, url) of up to 3 example pages per parse error of a run's new
-- captures, most common error first (param: run_id).
WITH e AS (
    SELECT coalesce(parse_error, 'unknown') AS parse_error, url,
           count(*) OVER (PARTITION BY coalesce(parse_error, 'unknown')) AS n,
           row_number() OVER (PARTITION BY coalesce(parse_error, 'unknown') ORDER BY url) AS k
    FROM capture WHERE source = 'crawl' AND source_ref = ? AND parse_status = 'error'
)
SELECT parse_error, url FROM e WHERE k <= 3 ORDER BY n DESC, parse_error, k;
