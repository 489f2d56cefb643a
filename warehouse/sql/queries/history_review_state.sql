-- Rebuilds review_state from its view review_state_live, in its physical sort order.
CREATE OR REPLACE TABLE internal.review_state AS
SELECT * FROM review_state_live ORDER BY tool_slug, persona, url, tool_position, state_no;
