-- Records why a run stopped, leaving its status alone (params: error, run_id).
UPDATE crawl_run SET error = ? WHERE run_id = ?;
