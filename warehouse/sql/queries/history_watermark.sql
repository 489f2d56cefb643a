-- Returns the derived tables' watermark (fingerprint, captures, tool_observations,
-- review_observations), or no row before the first refresh.
SELECT fingerprint, captures, tool_observations, review_observations
FROM internal.derived_watermark;
