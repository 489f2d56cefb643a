-- Rewrites the parse columns of existing captures from the Arrow table registered as
-- _va_load_capture (a reparse).
UPDATE internal.capture AS c SET
    url = n.url, parser_version = n.parser_version,
    parse_status = n.parse_status, parse_error = n.parse_error,
    layout = n.layout, title = n.title
FROM _va_load_capture n
WHERE c.capture_id = n.capture_id;
