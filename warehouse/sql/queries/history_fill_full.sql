-- Rebuilds the compact-score fill (internal.review_fill) from every review observation.
DELETE FROM internal.review_fill;
INSERT INTO internal.review_fill BY NAME
SELECT * FROM internal.review_fill_of(false) WHERE matched_capture_id IS NOT NULL
ORDER BY capture_id, ordinal;
