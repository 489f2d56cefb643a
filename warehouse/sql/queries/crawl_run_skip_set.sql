-- Sets how many URLs a run left alone for one reason without a crawl_fetch row each
-- (params: run_id, reason, pages); a resumed run's count replaces its earlier start's.
INSERT INTO crawl_run_skip (run_id, reason, pages) VALUES (?, ?, ?)
ON CONFLICT (run_id, reason) DO UPDATE SET pages = excluded.pages;
