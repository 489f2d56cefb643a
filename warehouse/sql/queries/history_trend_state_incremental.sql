-- Rebuilds the trend_state rows of the tools in internal.pending_slug, reading the life
-- of their pages (listed in internal.pending_life_url first).
INSERT OR IGNORE INTO internal.pending_life_url
SELECT url FROM internal.tool_state
WHERE tool_slug IN (SELECT slug FROM internal.pending_slug)
UNION
SELECT url FROM internal.review_state
WHERE tool_slug IN (SELECT slug FROM internal.pending_slug);
DELETE FROM internal.trend_state WHERE slug IN (SELECT slug FROM internal.pending_slug);
INSERT INTO internal.trend_state BY NAME SELECT * FROM internal.trend_state_of(true);
