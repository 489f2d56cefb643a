-- Rebuilds the review_state rows of the pages in internal.pending_url, and adds the tools
-- of the rows it removed and wrote to internal.pending_slug (their trends are rebuilt).
INSERT OR IGNORE INTO internal.pending_slug
SELECT DISTINCT tool_slug FROM internal.review_state
WHERE url IN (SELECT url FROM internal.pending_url);
DELETE FROM internal.review_state WHERE url IN (SELECT url FROM internal.pending_url);
INSERT INTO internal.review_state BY NAME SELECT * FROM internal.review_state_of(true);
INSERT OR IGNORE INTO internal.pending_slug
SELECT DISTINCT tool_slug FROM internal.review_state
WHERE url IN (SELECT url FROM internal.pending_url);
