-- Deletes the tool and review observations of the captures of the Arrow table registered
-- as _va_load_ids (before a reparse writes them again). Two statements, run together.
DELETE FROM internal.tool_observation WHERE capture_id IN (SELECT capture_id FROM _va_load_ids);
DELETE FROM internal.review_observation WHERE capture_id IN (SELECT capture_id FROM _va_load_ids);
