-- Logs what a load wrote, for the next incremental refresh (sql/012_refresh_log.sql):
-- the URLs of the Arrow table registered as _va_load_capture, the tool slugs of
-- _va_load_tool_obs and _va_load_review_obs and the review texts of the latter (tool key
-- as in review_fill_of). Three statements, run together.
INSERT OR IGNORE INTO internal.pending_url
SELECT DISTINCT url FROM _va_load_capture WHERE url IS NOT NULL;
INSERT OR IGNORE INTO internal.pending_slug
SELECT tool_slug FROM _va_load_tool_obs WHERE tool_slug IS NOT NULL
UNION
SELECT tool_slug FROM _va_load_review_obs WHERE tool_slug IS NOT NULL;
INSERT OR IGNORE INTO internal.pending_review_key
SELECT DISTINCT * FROM (
    SELECT CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key, r.quote
    FROM _va_load_review_obs r
    LEFT JOIN _va_load_tool_obs t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
) WHERE tool_key IS NOT NULL AND quote IS NOT NULL;
