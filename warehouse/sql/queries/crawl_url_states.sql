-- Returns one row per page URL planned before: its latest outcome, validators and the
-- capture holding it, in UrlState's field order. With the param false, only the URLs of the
-- Arrow table registered as _va_state_urls (param: every_url).
SELECT s.url, s.last_outcome, s.last_reason, s.last_in_sitemap,
       v.run_observed_at, v.etag, v.last_modified, v.sitemap_lastmod, v.payload_digest,
       v.capture_id, c.url, c.observed_at, c.warc_record_id
FROM crawl_url_status s
LEFT JOIN crawl_validators v USING (url)
LEFT JOIN capture c ON c.capture_id = v.capture_id
WHERE ? OR s.url IN (SELECT url FROM _va_state_urls);
