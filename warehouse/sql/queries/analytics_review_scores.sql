-- Returns internal.review_trend_periods at one granularity (param: 'day', 'week' or
-- 'month'): every (tool, persona) review's figure as of each period's end.
SELECT * FROM internal.review_trend_periods WHERE granularity = ?
ORDER BY period_start, persona, tool_slug;
