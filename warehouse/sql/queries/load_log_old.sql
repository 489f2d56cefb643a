-- Logs what a reparse is about to replace, for the next incremental refresh (sql/
-- 012_refresh_log.sql): the captures of the Arrow table registered as _va_load_ids, their
-- current URLs and tool slugs (each with the earliest observed_at of those captures,
-- `since`) and review texts. Four statements, run together.
INSERT OR IGNORE INTO internal.pending_capture
SELECT DISTINCT capture_id FROM _va_load_ids;
INSERT INTO internal.pending_url
SELECT url, min(observed_at) FROM internal.capture
WHERE url IS NOT NULL AND capture_id IN (SELECT capture_id FROM _va_load_ids)
GROUP BY url
ON CONFLICT (url) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT INTO internal.pending_slug
SELECT t.tool_slug, min(c.observed_at)
FROM internal.tool_observation t
JOIN internal.capture c USING (capture_id)
WHERE t.tool_slug IS NOT NULL AND t.capture_id IN (SELECT capture_id FROM _va_load_ids)
GROUP BY t.tool_slug
ON CONFLICT (slug) DO UPDATE SET since = internal.earliest(since, excluded.since);
INSERT OR IGNORE INTO internal.pending_review_key
SELECT DISTINCT * FROM (
    SELECT CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key, r.quote
    FROM internal.review_observation r
    LEFT JOIN internal.tool_observation t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
    WHERE r.capture_id IN (SELECT capture_id FROM _va_load_ids)
) WHERE tool_key IS NOT NULL AND quote IS NOT NULL;
