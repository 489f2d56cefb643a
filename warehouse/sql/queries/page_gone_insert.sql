-- Loads the page-gone observations of the Arrow table registered as _va_page_gone_rows
-- (url, run_id, observed_at, outcome: a reparse's, read from the crawl WARCs) and logs
-- their pages for the next incremental refresh. Rows already there stay.
INSERT OR IGNORE INTO internal.pending_url SELECT DISTINCT url FROM _va_page_gone_rows;
INSERT OR IGNORE INTO internal.page_gone
SELECT url, run_id, observed_at, outcome FROM _va_page_gone_rows;
