-- Returns every crawl_fetch row of one run (param: run_id).
SELECT * FROM crawl_fetch WHERE run_id = ?;
