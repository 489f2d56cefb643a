-- Loads the page-gone observations of the Arrow table registered as _va_page_gone_rows
-- (url, run_id, observed_at, outcome: a reparse's, read from the crawl WARCs) and logs
-- their pages for the next incremental refresh (since: the earliest observed_at). Rows
-- already there stay.
INSERT INTO internal.pending_url
SELECT url, min(observed_at) FROM _va_page_gone_rows GROUP BY url
ON CONFLICT (url) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT OR IGNORE INTO internal.page_gone
SELECT url, run_id, observed_at, outcome FROM _va_page_gone_rows;
