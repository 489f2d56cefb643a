-- Returns head_to_head, the pairs one tool is in or all when it is NULL
-- (params: slug, slug, slug).
SELECT * FROM head_to_head WHERE ? IS NULL OR tool_a_slug = ? OR tool_b_slug = ?
ORDER BY tool_a_slug, tool_b_slug;
