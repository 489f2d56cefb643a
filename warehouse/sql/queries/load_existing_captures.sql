-- Returns (capture_id, parse_error) of those of a list of capture ids already in the
-- warehouse (param: the list of ids).
SELECT capture_id, parse_error FROM internal.capture WHERE capture_id IN (SELECT unnest(?));
