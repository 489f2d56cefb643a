-- Returns verdict_changes observed at or after a time and of one kind, newest first; NULL
-- keeps all (params: since, since, kind, kind).
SELECT * FROM verdict_changes WHERE (?::TIMESTAMPTZ IS NULL OR observed_at >= ?)
AND (? IS NULL OR kind = ?)
ORDER BY observed_at DESC, tool_slug, kind, persona NULLS FIRST, url;
