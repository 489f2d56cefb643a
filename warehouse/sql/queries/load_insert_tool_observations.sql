-- Inserts the rows of the Arrow table registered as _va_load_tool_obs (columns by name).
INSERT INTO internal.tool_observation BY NAME SELECT * FROM _va_load_tool_obs;
