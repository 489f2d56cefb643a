-- Counts one more start of a resumed run, running again (params: resumed_at,
-- parser_version, run_id). The error of a failed start stays until the run ends.
UPDATE crawl_run SET starts = starts + 1, resumed_at = ?, parser_version = ?, status = 'running'
WHERE run_id = ?;
