-- Returns category_trends at one granularity (param: 'day', 'week' or 'month').
SELECT * FROM category_trends WHERE granularity = ?
ORDER BY period_start, category NULLS LAST;
