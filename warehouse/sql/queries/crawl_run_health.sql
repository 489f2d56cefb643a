-- Returns the figures a run's verdict on itself is made from (param: run_id):
-- discovery_fetches / discovery_answered (robots, sitemap and start fetches; those that
-- got any HTTP answer other than a 5xx), pages found by discovery (page rows of the run, and
-- pages it left alone as unchanged: crawl_run_skip),
-- pages due (requested or failed tonight), answered (fetched, not_modified or gone),
-- failed, still_failing (failed tonight and already at the URL's previous attempt),
-- captures (new crawl captures of the run) and parsed (of those, not a parse error).
WITH run AS (
    SELECT run_id, started_at, base_url FROM crawl_run WHERE run_id = $1
), tonight AS (
    SELECT f.url, f.outcome FROM crawl_fetch f JOIN run USING (run_id)
    WHERE f.kind = 'page' AND f.outcome IN ('fetched', 'not_modified', 'gone', 'failed')
), before AS (
    SELECT f.url, max_by(f.outcome, r.started_at) AS outcome
    FROM crawl_fetch f JOIN crawl_run r USING (run_id)
    WHERE f.kind = 'page' AND f.outcome <> 'skipped' AND f.run_id <> $1
      AND r.started_at < (SELECT started_at FROM run)
      AND f.url IN (SELECT url FROM tonight)
    GROUP BY f.url
), pages AS (
    SELECT
        count(*) AS due,
        count(*) FILTER (WHERE t.outcome <> 'failed') AS answered,
        count(*) FILTER (WHERE t.outcome = 'failed') AS failed,
        count(*) FILTER (WHERE t.outcome = 'failed' AND b.outcome = 'failed') AS still_failing
    FROM tonight t LEFT JOIN before b USING (url)
), disc AS (
    SELECT
        count(*) AS discovery_fetches,
        count(*) FILTER (WHERE f.http_status IS NOT NULL AND f.http_status < 500)
            AS discovery_answered
    FROM crawl_fetch f JOIN run USING (run_id)
    WHERE f.kind IN ('robots', 'sitemap', 'start')
), found AS (  -- with the pages left alone as unchanged (crawl_run_skip, no row)
    SELECT (count(*) + (SELECT coalesce(sum(pages), 0) FROM crawl_run_skip WHERE run_id = $1)
           )::BIGINT AS pages_found
    FROM crawl_fetch f JOIN run USING (run_id)
    WHERE f.kind = 'page'
), caps AS (
    SELECT count(*) AS captures, count(*) FILTER (WHERE parse_status <> 'error') AS parsed
    FROM capture WHERE source = 'crawl' AND source_ref = $1
)
SELECT * FROM disc, found, pages, caps;
