-- Recomputes the compact-score fill (internal.review_fill) of the review texts in
-- internal.pending_review_key and of the captures in internal.pending_capture, and adds
-- to internal.pending_url the pages whose filled reviews changed (their review histories
-- are rebuilt next). Several statements, run together inside the refresh's transaction.
CREATE OR REPLACE TEMP TABLE _va_fill_new AS
SELECT * FROM internal.review_fill_of(true);
CREATE OR REPLACE TEMP TABLE _va_fill_old AS
SELECT f.* FROM internal.review_fill f
WHERE f.capture_id IN (SELECT capture_id FROM internal.pending_capture)
UNION
SELECT f.* FROM internal.review_fill f
SEMI JOIN _va_fill_new n ON n.capture_id = f.capture_id AND n.ordinal = f.ordinal;
INSERT INTO internal.pending_url
SELECT c.url, min(c.observed_at)
FROM ((SELECT * FROM _va_fill_old
       EXCEPT SELECT * FROM _va_fill_new WHERE matched_capture_id IS NOT NULL)
      UNION ALL
      (SELECT * FROM _va_fill_new WHERE matched_capture_id IS NOT NULL
       EXCEPT SELECT * FROM _va_fill_old)) d
JOIN internal.capture c USING (capture_id)
WHERE c.url IS NOT NULL
GROUP BY c.url
ON CONFLICT (url) DO UPDATE SET since = internal.earliest(since, excluded.since);
DELETE FROM internal.review_fill f USING _va_fill_old o
WHERE f.capture_id = o.capture_id AND f.ordinal = o.ordinal;
INSERT INTO internal.review_fill BY NAME
SELECT * FROM _va_fill_new WHERE matched_capture_id IS NOT NULL;
DROP TABLE _va_fill_new;
DROP TABLE _va_fill_old;
