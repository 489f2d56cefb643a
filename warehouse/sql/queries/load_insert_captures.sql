-- Inserts the captures of the Arrow table registered as _va_load_capture that are not in
-- the warehouse yet (columns matched by name; an id already there is skipped by its
-- primary key's index, no scan of the table) and returns the ids it inserted.
INSERT OR IGNORE INTO internal.capture BY NAME
SELECT * FROM _va_load_capture
RETURNING capture_id;
