-- Returns the latest crawl_fetch row of a URL with an outcome (params: url, outcome).
SELECT * FROM crawl_fetch WHERE url = ? AND outcome = ?
ORDER BY fetched_at DESC NULLS LAST LIMIT 1;
