-- Returns the crawl_run_summary row of a run (param: run_id).
SELECT * FROM crawl_run_summary WHERE run_id = ?;
