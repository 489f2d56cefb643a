-- Returns one row per sitemap URL: the validators of its latest successful fetch and
-- where the body of its latest 200 is archived (url, etag, last_modified, warc_path,
-- warc_offset); only sitemaps that have a validator.
WITH ok AS (
    SELECT * FROM crawl_fetch
    WHERE kind = 'sitemap' AND outcome IN ('fetched', 'not_modified')
),
validators AS (
    SELECT url, etag, last_modified FROM ok
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
),
bodies AS (
    SELECT url, warc_path, warc_offset, payload_digest FROM ok
    WHERE http_status = 200 AND warc_path IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
)
SELECT v.url, v.etag, v.last_modified, b.warc_path, b.warc_offset
FROM validators v JOIN bodies b USING (url)
WHERE v.etag IS NOT NULL OR v.last_modified IS NOT NULL;
