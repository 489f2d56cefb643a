-- Returns the signature of the latest analytics refresh (no row before the first).
SELECT signature FROM internal.analytics_refresh ORDER BY refreshed_at DESC LIMIT 1;
