-- Rebuilds review_asof from its view review_asof_live, in its physical sort order.
CREATE OR REPLACE TABLE review_asof AS
SELECT * FROM review_asof_live ORDER BY tool_slug, persona, state_no;
