-- Returns persona_leniency at one granularity (param: 'day', 'week' or 'month').
SELECT * FROM persona_leniency WHERE granularity = ?
ORDER BY period_start, persona NULLS LAST;
