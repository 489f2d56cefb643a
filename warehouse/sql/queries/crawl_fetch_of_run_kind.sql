-- Returns the crawl_fetch rows of one run of one kind (params: run_id, kind).
SELECT * FROM crawl_fetch WHERE run_id = ? AND kind = ?;
