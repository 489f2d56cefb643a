-- Returns the capture_id of each capture of the Arrow table registered as _va_load_ids
-- that is already in the warehouse.
SELECT capture_id FROM internal.capture WHERE capture_id IN (SELECT capture_id FROM _va_load_ids);
