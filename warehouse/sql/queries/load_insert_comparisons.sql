-- Adds the tool pairs of the Arrow table registered as _va_load_comparison to `comparison`.
INSERT INTO internal.comparison SELECT tool_a_slug, tool_b_slug FROM _va_load_comparison
ON CONFLICT DO NOTHING;
