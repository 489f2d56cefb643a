-- Counts, in crawl_run_skip, the pages the Arrow table registered as _va_crawl_fetch_rows
-- says a run left alone as unchanged (not stored in crawl_fetch): a page once per run
-- (crawl_url_state.unchanged_run_id names the run that counted it: a resumed run plans it
-- again), and no longer once the run brings another row for it. Runs before
-- crawl_url_state_upsert.sql, which moves unchanged_run_id.
INSERT INTO crawl_run_skip (run_id, reason, pages)
SELECT n.run_id, 'unchanged', sum(CASE WHEN n.unchanged THEN 1 ELSE -1 END)
FROM (
    SELECT run_id, url,
           outcome = 'skipped' AND reason IS NOT DISTINCT FROM 'unchanged' AS unchanged
    FROM _va_crawl_fetch_rows WHERE kind = 'page'
) n
JOIN crawl_run USING (run_id)
LEFT JOIN crawl_url_state s USING (url)
WHERE (n.unchanged AND s.unchanged_run_id IS DISTINCT FROM n.run_id)
   OR (NOT n.unchanged AND s.unchanged_run_id = n.run_id)
GROUP BY n.run_id
ON CONFLICT (run_id, reason) DO UPDATE SET pages = pages + excluded.pages;
