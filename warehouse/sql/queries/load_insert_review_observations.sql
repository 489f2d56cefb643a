-- Inserts the rows of the Arrow table registered as _va_load_review_obs (columns by name).
INSERT INTO internal.review_observation BY NAME SELECT * FROM _va_load_review_obs;
