-- Marks a run finished or failed (params: status, error, finished_at, run_id).
UPDATE crawl_run SET status = ?, error = ?, finished_at = ? WHERE run_id = ?;
