-- Returns the crawl_fetch rows of a run that made a new capture whose capture row is not
-- loaded (param: run_id).
SELECT f.* FROM crawl_fetch f
WHERE f.run_id = ? AND f.change IN ('new', 'changed') AND f.capture_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM capture c WHERE c.capture_id = f.capture_id);
