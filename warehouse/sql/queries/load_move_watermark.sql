-- Moves the derived tables' watermark (sql/012_refresh_log.sql) by what a load wrote
-- (params: captures inserted, tool observations and review observations inserted minus
-- deleted); returns the row it moved. No row (never refreshed): nothing to move, nothing
-- returned, and nothing to log either (the next refresh rebuilds everything).
UPDATE internal.derived_watermark SET
    captures = captures + ?,
    tool_observations = tool_observations + ?,
    review_observations = review_observations + ?
RETURNING 1;
