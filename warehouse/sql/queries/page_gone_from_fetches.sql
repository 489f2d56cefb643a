-- Records the page-gone observations (035_page_gone.sql) among the crawl_fetch rows of the
-- Arrow table registered as _va_crawl_fetch_rows, and logs their pages for the next
-- incremental refresh (since: the run's observed_at). A row already there stays (the
-- evidence was seen).
INSERT INTO internal.pending_url
SELECT coalesce(n.final_url, n.url), min(r.observed_at) FROM _va_crawl_fetch_rows n
JOIN internal.crawl_run r USING (run_id)
WHERE n.kind = 'page'
  AND (n.outcome = 'gone' OR (n.outcome = 'failed' AND n.in_sitemap = false))
GROUP BY ALL
ON CONFLICT (url) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT OR IGNORE INTO internal.page_gone
SELECT coalesce(n.final_url, n.url), n.run_id, r.observed_at, n.outcome
FROM _va_crawl_fetch_rows n
JOIN internal.crawl_run r USING (run_id)
WHERE n.kind = 'page'
  AND (n.outcome = 'gone' OR (n.outcome = 'failed' AND n.in_sitemap = false));
