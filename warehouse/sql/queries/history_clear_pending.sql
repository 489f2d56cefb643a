-- Empties the refresh log (sql/012_refresh_log.sql) once the derived tables account for it.
DELETE FROM internal.pending_url;
DELETE FROM internal.pending_slug;
DELETE FROM internal.pending_review_key;
DELETE FROM internal.pending_capture;
DELETE FROM internal.pending_life_url;
