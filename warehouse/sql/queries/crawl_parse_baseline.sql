-- Returns (run_id, captures, parsed) of the latest finished run of the same site before a
-- run, among those with at least a number of new captures (params: run_id, min_captures):
-- the night a parse-rate drop is measured against. No row when there is none.
WITH run AS (SELECT base_url, started_at FROM crawl_run WHERE run_id = $1)
SELECT r.run_id, count(c.capture_id) AS captures,
       count(c.capture_id) FILTER (WHERE c.parse_status <> 'error') AS parsed
FROM crawl_run r
JOIN capture c ON c.source = 'crawl' AND c.source_ref = r.run_id
WHERE r.status = 'finished' AND r.run_id <> $1
  AND r.base_url = (SELECT base_url FROM run) AND r.started_at < (SELECT started_at FROM run)
GROUP BY r.run_id, r.started_at
HAVING count(c.capture_id) >= $2
ORDER BY r.started_at DESC LIMIT 1;
