-- Records how a run found its URLs (params: discovery, run_id).
UPDATE crawl_run SET discovery = ? WHERE run_id = ?;
