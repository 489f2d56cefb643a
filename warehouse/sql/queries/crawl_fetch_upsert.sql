-- Inserts or replaces (by run_id, url) every row of the Arrow table registered as
-- _va_crawl_fetch_rows (crawl_fetch's columns); NULL counters and flags take their defaults.
-- A 304 never replaces the same run's 200 (a resumed run revalidating what it already
-- fetched): that row names the body the run saw, which the sitemap cache serves next night.
INSERT OR REPLACE INTO crawl_fetch BY NAME
SELECT * REPLACE (
    coalesce(attempts, 0) AS attempts,
    coalesce(requests, 0) AS requests,
    coalesce(bytes_received, 0) AS bytes_received,
    coalesce(conditional, false) AS conditional
)
FROM _va_crawl_fetch_rows n
WHERE NOT (n.outcome = 'not_modified' AND EXISTS (
    SELECT 1 FROM crawl_fetch o
    WHERE o.run_id = n.run_id AND o.url = n.url AND o.outcome = 'fetched'
      AND o.http_status = 200));
