-- Inserts a new running crawl run
-- (params: run_id, base_url, observed_at, simulated, started_at, parser_version).
INSERT INTO crawl_run (run_id, base_url, observed_at, simulated, started_at, starts,
                       status, parser_version)
VALUES (?, ?, ?, ?, ?, 1, 'running', ?);
