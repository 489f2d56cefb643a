-- Sets the session time zone to UTC (every warehouse connection runs in UTC).
SET TimeZone = 'UTC';
