-- Counts one more start of a resumed run (params: resumed_at, parser_version, run_id).
UPDATE crawl_run SET starts = starts + 1, resumed_at = ?, parser_version = ?
WHERE run_id = ?;
