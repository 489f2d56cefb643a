-- Returns the page URLs a run left alone as unchanged so far (counted in crawl_run_skip,
-- no crawl_fetch row): a resumed run does not plan them again (param: run_id).
SELECT url FROM crawl_url_state WHERE unchanged_run_id = ?;
