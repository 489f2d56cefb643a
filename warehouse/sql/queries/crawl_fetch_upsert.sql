-- Inserts or replaces (by run_id, url) every row of the Arrow table registered as
-- _va_crawl_fetch_rows (crawl_fetch's columns); NULL counters and flags take their defaults.
INSERT OR REPLACE INTO crawl_fetch BY NAME
SELECT * REPLACE (
    coalesce(attempts, 0) AS attempts,
    coalesce(requests, 0) AS requests,
    coalesce(bytes_received, 0) AS bytes_received,
    coalesce(conditional, false) AS conditional
)
FROM _va_crawl_fetch_rows;
