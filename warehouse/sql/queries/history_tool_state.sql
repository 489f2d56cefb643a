-- Rebuilds tool_state from its view tool_state_live, in its physical sort order.
CREATE OR REPLACE TABLE internal.tool_state AS
SELECT * FROM tool_state_live ORDER BY tool_slug, url, position, state_no;
