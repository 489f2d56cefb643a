-- Inserts the captures of the Arrow table registered as _va_load_capture that are not in
-- the warehouse yet (columns matched by name).
INSERT INTO internal.capture BY NAME
SELECT * FROM _va_load_capture
WHERE capture_id NOT IN (SELECT capture_id FROM internal.capture);
