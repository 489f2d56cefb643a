-- Brings crawl_url_state up to date with the page rows of the Arrow table registered as
-- _va_crawl_fetch_rows, after crawl_fetch_upsert.sql stored them: the same answers the rules
-- of 020_crawl.sql give over all of crawl_fetch, from the pages' state and tonight's rows.
-- Each part of a page's state (last_*, sitemap_*, success_*) is the latest of its
-- candidates: the batch's rows as stored (a 304 kept out reads as the run's 200), its pages
-- left alone as unchanged, and the part as it was; or, when the batch replaces the row a
-- part came from (a run writing a page twice: rare), the page's rows in crawl_fetch. (Those
-- lack the pages left alone as unchanged: a run replacing the row last_in_sitemap came from
-- with a max_pages / host_down skip falls back to the latest stored row, not to an older
-- night that left the page alone. The pipeline never does: a run plans a page once.)
INSERT OR REPLACE INTO crawl_url_state BY NAME
WITH batch AS (
    SELECT run_id, url, in_sitemap,
           outcome = 'skipped' AND reason IS NOT DISTINCT FROM 'unchanged' AS unchanged
    FROM _va_crawl_fetch_rows WHERE kind = 'page'
),
old AS (
    SELECT s.* FROM crawl_url_state s WHERE s.url IN (SELECT url FROM batch)
),
redo AS (  -- pages whose state names a row the batch replaces: read back from crawl_fetch
    SELECT DISTINCT o.url FROM old o JOIN batch b USING (url)
    WHERE b.run_id IN (o.last_run_id, o.sitemap_run_id, o.success_run_id)
),
stored AS (
    SELECT f.* FROM crawl_fetch f JOIN batch b USING (run_id, url) WHERE NOT b.unchanged
    UNION ALL
    SELECT f.* FROM crawl_fetch f JOIN redo USING (url) WHERE f.kind = 'page'
),
cand AS (  -- url, run, its started_at and observed_at, which parts the row speaks for
    SELECT f.url, f.run_id, r.started_at, r.observed_at,
           f.outcome <> 'skipped' AS is_last,
           (f.outcome <> 'skipped' OR f.reason IS NOT DISTINCT FROM 'unchanged')
               AND f.in_sitemap IS NOT NULL AS is_sitemap,
           f.outcome IN ('fetched', 'not_modified') AS is_success,
           f.outcome, f.reason, f.in_sitemap, f.fetched_at, f.http_status, f.etag,
           f.last_modified, f.sitemap_lastmod, f.payload_digest, f.capture_id
    FROM stored f JOIN crawl_run r USING (run_id)
    UNION ALL BY NAME
    SELECT b.url, b.run_id, r.started_at, b.in_sitemap IS NOT NULL AS is_sitemap,
           b.in_sitemap
    FROM batch b JOIN crawl_run r USING (run_id)
    WHERE b.unchanged
    UNION ALL BY NAME
    SELECT url, last_run_id AS run_id, last_run_started_at AS started_at, true AS is_last,
           last_outcome AS outcome, last_reason AS reason
    FROM old o WHERE last_run_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.url = o.url AND b.run_id = o.last_run_id)
    UNION ALL BY NAME
    SELECT url, sitemap_run_id AS run_id, sitemap_run_started_at AS started_at,
           true AS is_sitemap, last_in_sitemap AS in_sitemap
    FROM old o WHERE sitemap_run_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.url = o.url AND b.run_id = o.sitemap_run_id)
    UNION ALL BY NAME
    SELECT url, success_run_id AS run_id, success_observed_at AS observed_at,
           true AS is_success, success_fetched_at AS fetched_at, http_status, etag,
           last_modified, sitemap_lastmod, payload_digest, capture_id
    FROM old o WHERE success_run_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.url = o.url AND b.run_id = o.success_run_id)
),
latest AS (
    SELECT url, run_id AS last_run_id, started_at AS last_run_started_at,
           outcome AS last_outcome, reason AS last_reason
    FROM cand WHERE is_last
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY started_at DESC, run_id DESC) = 1
),
sitemap AS (
    SELECT url, run_id AS sitemap_run_id, started_at AS sitemap_run_started_at,
           in_sitemap AS last_in_sitemap
    FROM cand WHERE is_sitemap
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY started_at DESC, run_id DESC) = 1
),
success AS (
    SELECT url, run_id AS success_run_id, observed_at AS success_observed_at,
           fetched_at AS success_fetched_at, http_status, etag, last_modified,
           sitemap_lastmod, payload_digest, capture_id
    FROM cand WHERE is_success
    QUALIFY row_number() OVER (PARTITION BY url
                               ORDER BY fetched_at DESC NULLS LAST, run_id DESC) = 1
),
marks AS (  -- the run that counted the page in crawl_run_skip (crawl_run_skip_count.sql)
    SELECT b.url, coalesce(
        max_by(b.run_id, r.started_at) FILTER (WHERE b.unchanged),
        CASE WHEN bool_or(NOT b.unchanged AND b.run_id = o.unchanged_run_id) THEN NULL
             ELSE any_value(o.unchanged_run_id) END) AS unchanged_run_id
    FROM batch b LEFT JOIN crawl_run r USING (run_id) LEFT JOIN old o USING (url)
    GROUP BY b.url
)
SELECT * FROM (SELECT DISTINCT url FROM cand)
LEFT JOIN latest USING (url) LEFT JOIN sitemap USING (url) LEFT JOIN success USING (url)
LEFT JOIN marks USING (url);
