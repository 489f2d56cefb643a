-- Logs what a load wrote, for the next incremental refresh (sql/012_refresh_log.sql):
-- the URLs of the Arrow table registered as _va_load_capture, the tool slugs of
-- _va_load_tool_obs and _va_load_review_obs and the review texts of the latter (tool key
-- as in review_fill_of), each URL and slug with the earliest observed_at of its captures
-- (`since`). Three statements, run together.
INSERT INTO internal.pending_url
SELECT url, min(observed_at) FROM _va_load_capture WHERE url IS NOT NULL GROUP BY url
ON CONFLICT (url) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT INTO internal.pending_slug
SELECT o.tool_slug, min(c.observed_at)
FROM (SELECT capture_id, tool_slug FROM _va_load_tool_obs
      UNION ALL
      SELECT capture_id, tool_slug FROM _va_load_review_obs) o
JOIN _va_load_capture c USING (capture_id)
WHERE o.tool_slug IS NOT NULL
GROUP BY o.tool_slug
ON CONFLICT (slug) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT OR IGNORE INTO internal.pending_review_key
SELECT DISTINCT * FROM (
    SELECT CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key, r.quote
    FROM _va_load_review_obs r
    LEFT JOIN _va_load_tool_obs t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
) WHERE tool_key IS NOT NULL AND quote IS NOT NULL;
