-- Returns tool_history, of one tool or of all when it is NULL (params: slug, slug).
SELECT * FROM tool_history WHERE ? IS NULL OR tool_slug = ?
ORDER BY tool_slug, valid_from, url, position;
