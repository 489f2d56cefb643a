-- Returns one row: the row counts of capture, tool_observation and review_observation.
SELECT (SELECT count(*) FROM internal.capture),
       (SELECT count(*) FROM internal.tool_observation),
       (SELECT count(*) FROM internal.review_observation);
