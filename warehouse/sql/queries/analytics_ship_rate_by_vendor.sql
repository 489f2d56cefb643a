-- Returns ship_rate_by_vendor at one granularity (param: 'day', 'week' or 'month').
SELECT * FROM ship_rate_by_vendor WHERE granularity = ?
ORDER BY period_start, vendor NULLS LAST;
