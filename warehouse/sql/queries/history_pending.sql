-- Returns one row: whether the refresh log (sql/012_refresh_log.sql) names anything.
SELECT EXISTS (SELECT 1 FROM internal.pending_url)
    OR EXISTS (SELECT 1 FROM internal.pending_slug)
    OR EXISTS (SELECT 1 FROM internal.pending_review_key)
    OR EXISTS (SELECT 1 FROM internal.pending_capture);
