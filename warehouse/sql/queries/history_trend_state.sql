-- Rebuilds trend_state from its view trend_state_live, in its physical sort order.
CREATE OR REPLACE TABLE internal.trend_state AS
SELECT * FROM internal.trend_state_live ORDER BY kind, slug, persona, state_no;
