-- Page-gone observations: the crawl's evidence that a comparison page stopped being live.
-- Observations like captures: a crawl writes them with its fetch rows
-- (queries/page_gone_from_fetches.sql), and `verdicts reparse` rebuilds them from the crawl
-- WARCs alone (the page's final record: a 404/410 response, or a failure while the page
-- was out of the sitemap, WARC-In-Sitemap false), so page life (045_trend.sql) and every
-- trend built on it come back from the archive. Idempotent.

-- page_gone: one row per crawl run that found a comparison page gone.
--   url          the page: the URL of the fetch's final record (after redirects)
--   run_id       the crawl run (crawl_run.run_id; also in its WARC files' names)
--   observed_at  the run's night (crawl_run.observed_at): when the page is dated gone
--   outcome      'gone' (404 / 410) or 'failed' (out of the sitemap and failing)
CREATE TABLE IF NOT EXISTS internal.page_gone (
    url         VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    outcome     VARCHAR NOT NULL,
    PRIMARY KEY (url, run_id)
);

-- A warehouse made before this table kept the evidence in crawl_fetch only: copied once
-- (an empty page_gone beside crawl_fetch rows that say gone).
INSERT OR IGNORE INTO internal.page_gone
SELECT coalesce(f.final_url, f.url), f.run_id, r.observed_at, f.outcome
FROM internal.crawl_fetch f
JOIN internal.crawl_run r USING (run_id)
WHERE f.kind = 'page'
  AND (f.outcome = 'gone' OR (f.outcome = 'failed' AND f.in_sitemap = false))
  AND NOT EXISTS (SELECT 1 FROM internal.page_gone);
