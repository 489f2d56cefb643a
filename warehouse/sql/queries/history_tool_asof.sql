-- Rebuilds tool_asof from its view tool_asof_live, in its physical sort order.
CREATE OR REPLACE TABLE tool_asof AS
SELECT * FROM tool_asof_live ORDER BY tool_slug, state_no;
