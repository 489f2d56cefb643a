-- Inserts or replaces (by run_id, url) every row of the Arrow table registered as
-- _va_crawl_fetch_rows (crawl_fetch's columns, one row per key); NULL counters and flags
-- take their defaults. crawl_fetch has no key index (020_crawl.sql): a row is replaced by
-- deleting the run's earlier row for the URL, then inserting.
-- A 304 never replaces the same run's 200 (a resumed run revalidating what it already
-- fetched): that row names the body the run saw, which the sitemap cache serves next night.
-- A page skipped as 'unchanged' gets no row (crawl_run_skip counts it, crawl_url_state
-- notes it: crawl_run_skip_count.sql, crawl_url_state_upsert.sql); like any later row it
-- replaces the run's earlier row for the page: deleted. Two statements, run together.
DELETE FROM crawl_fetch f USING _va_crawl_fetch_rows n
WHERE f.run_id = n.run_id AND f.url = n.url
  AND NOT (n.outcome = 'not_modified' AND f.outcome = 'fetched' AND f.http_status = 200);
INSERT INTO crawl_fetch BY NAME
SELECT * REPLACE (
    coalesce(attempts, 0) AS attempts,
    coalesce(requests, 0) AS requests,
    coalesce(bytes_received, 0) AS bytes_received,
    coalesce(conditional, false) AS conditional
)
FROM _va_crawl_fetch_rows n
WHERE NOT (n.kind = 'page' AND n.outcome = 'skipped'
           AND n.reason IS NOT DISTINCT FROM 'unchanged')
  AND NOT (n.outcome = 'not_modified' AND EXISTS (
    SELECT 1 FROM crawl_fetch o
    WHERE o.run_id = n.run_id AND o.url = n.url AND o.outcome = 'fetched'
      AND o.http_status = 200));
