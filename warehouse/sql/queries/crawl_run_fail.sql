-- Marks a run failed with a one-line error, leaving finished_at NULL: the run stopped
-- before its end and the next start resumes it (params: error, run_id).
UPDATE crawl_run SET status = 'failed', error = ? WHERE run_id = ?;
