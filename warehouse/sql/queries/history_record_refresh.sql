-- Records one analytics refresh (params: refreshed_at, signature, seconds).
INSERT INTO internal.analytics_refresh (refreshed_at, signature, seconds) VALUES (?, ?, ?);
