-- Records one analytics refresh (params: refreshed_at, signature, seconds).
INSERT INTO analytics_refresh (refreshed_at, signature, seconds) VALUES (?, ?, ?);
