-- Returns review_asof_periods at one granularity (param: 'day', 'week' or 'month').
SELECT * FROM review_asof_periods WHERE granularity = ?
ORDER BY period_start, persona, tool_slug;
