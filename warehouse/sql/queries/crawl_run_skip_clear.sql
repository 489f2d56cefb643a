-- Clears how many URLs a run left alone for one reason (params: run_id, reason): a resumed
-- start that left none alone for it replaces its earlier start's count with none.
DELETE FROM crawl_run_skip WHERE run_id = ? AND reason = ?;
