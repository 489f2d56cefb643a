-- Records one analytics refresh (params: refreshed_at, signature, seconds, mode).
INSERT INTO internal.analytics_refresh (refreshed_at, signature, seconds, mode)
VALUES (?, ?, ?, ?);
