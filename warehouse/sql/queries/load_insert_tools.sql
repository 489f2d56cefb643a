-- Adds the tool slugs of the Arrow table registered as _va_load_tool_obs to `tool`.
INSERT INTO internal.tool (slug)
SELECT DISTINCT tool_slug FROM _va_load_tool_obs WHERE tool_slug IS NOT NULL
ON CONFLICT DO NOTHING;
