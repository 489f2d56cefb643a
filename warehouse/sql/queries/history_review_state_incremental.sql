-- Rebuilds the review_state rows of the pages in internal.pending_url, and adds the tools
-- of the rows it removed and wrote to internal.pending_slug, each with the earliest since
-- of its pages (their trends are rebuilt from then on).
INSERT INTO internal.pending_slug
SELECT * FROM internal.pending_tools_of('internal.review_state')
ON CONFLICT (slug) DO UPDATE SET since = internal.earliest(since, excluded.since);
DELETE FROM internal.review_state WHERE url IN (SELECT url FROM internal.pending_url);
INSERT INTO internal.review_state BY NAME SELECT * FROM internal.review_state_of(true);
INSERT INTO internal.pending_slug
SELECT * FROM internal.pending_tools_of('internal.review_state')
ON CONFLICT (slug) DO UPDATE SET since = internal.earliest(since, excluded.since);
