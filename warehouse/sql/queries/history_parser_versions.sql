-- Returns the distinct parser versions of the captures, in order.
SELECT DISTINCT parser_version FROM internal.capture ORDER BY parser_version;
