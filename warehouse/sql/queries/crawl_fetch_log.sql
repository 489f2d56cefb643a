-- Logs, for the next incremental refresh, the page URLs whose life the crawl_fetch rows
-- of the Arrow table registered as _va_crawl_fetch_rows change: those found gone or
-- failing, and those whose row they replace was (page_life_of reads both outcomes).
INSERT OR IGNORE INTO internal.pending_url
SELECT url FROM _va_crawl_fetch_rows
WHERE kind = 'page' AND outcome IN ('gone', 'failed')
UNION
SELECT f.url FROM internal.crawl_fetch f
JOIN _va_crawl_fetch_rows n USING (run_id, url)
WHERE f.kind = 'page' AND f.outcome IN ('gone', 'failed');
