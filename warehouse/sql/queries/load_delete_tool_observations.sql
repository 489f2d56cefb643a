-- Deletes the tool observations of the captures of the Arrow table registered as
-- _va_load_ids (before a reparse writes them again); returns the count deleted.
DELETE FROM internal.tool_observation WHERE capture_id IN (SELECT capture_id FROM _va_load_ids);
