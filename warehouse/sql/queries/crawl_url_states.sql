-- Returns one row per page URL planned before: its latest outcome, validators and the
-- capture holding it, in UrlState's field order, read from crawl_url_state (one row per
-- page, however many nights came before). With the param false, only the URLs of the
-- Arrow table registered as _va_state_urls (param: every_url).
SELECT s.url, s.last_outcome, s.last_reason, s.last_in_sitemap,
       s.success_observed_at, s.etag, s.last_modified, s.sitemap_lastmod, s.payload_digest,
       s.capture_id, c.url, c.observed_at, c.warc_record_id
FROM crawl_url_state s
LEFT JOIN capture c ON c.capture_id = s.capture_id
WHERE ? OR s.url IN (SELECT url FROM _va_state_urls);
