-- Returns tool_trend, of one tool or of all when it is NULL (params: slug, slug).
SELECT * FROM tool_trend WHERE ? IS NULL OR slug = ?
ORDER BY slug, valid_from;
