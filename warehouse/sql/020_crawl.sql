-- Crawl bookkeeping: what each crawl run asked the site for, and what came back.
-- Idempotent like every schema file. Page contents live in `capture` (010_core.sql);
-- these tables say how and when each URL was fetched, so a run can be resumed, the next
-- run can send conditional GETs, and nothing is refetched that has not changed.

-- crawl_run: one row per crawl run (one night). A run killed or stopped by an error before
-- its end keeps finished_at NULL (status 'running', or 'failed' with its error) and is
-- resumed (same run_id) by the next crawl with the same observed_at. A night that ran to
-- its end but did not do its job (site unreachable, too many failures) is 'failed' with a
-- finished_at. Its counts are derived from crawl_fetch by the crawl_run_summary view.
CREATE TABLE IF NOT EXISTS internal.crawl_run (
    run_id          VARCHAR PRIMARY KEY,   -- '<observed_at yyyymmddTHHMMSSZ>-<8 hex>'
    base_url        VARCHAR NOT NULL,      -- the crawl's target, e.g. https://shiporskip.io
    observed_at     TIMESTAMPTZ NOT NULL,  -- the night this run stands for (stamps its captures)
    simulated       BOOLEAN NOT NULL,      -- observed_at was given (a simulated night), not "now"
    started_at      TIMESTAMPTZ NOT NULL,  -- wall clock of the first start
    resumed_at      TIMESTAMPTZ,           -- wall clock of the latest resume, if any
    starts          INTEGER NOT NULL,      -- 1 + number of resumes
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,      -- 'running', 'finished', 'failed'
    discovery       VARCHAR,               -- 'sitemap' or 'links' (no sitemap: followed links)
    parser_version  VARCHAR,
    error           VARCHAR                -- one line, when status = 'failed'
);

-- crawl_fetch: one row per URL per run (the table name avoids FETCH, a reserved word).
-- Every URL the run discovered or planned ends here with an outcome:
--   fetched       a response with the page (new capture, or a revisit when the payload
--                 digest equals the previous one)
--   not_modified  304 to a conditional GET: the page state persists, no new capture
--   gone          404 / 410
--   failed        `reason` says why: timeout, connection_reset, connection_error,
--                 too_large, truncated_body, redirect_offsite, redirect_private,
--                 redirect_loop, http_5xx, http_429, http_<status>, bad_content_type, …
--   disallowed    robots.txt disallows it: never requested
--   out_of_scope  not a comparison page, or not on the target host: never requested
--   skipped       not requested tonight: `reason` 'unchanged' (same sitemap lastmod as at
--                 the last successful fetch, recheck not due), 'max_pages', or
--                 'host_down' (the host's circuit breaker opened: retried next run)
-- Robots.txt and sitemap fetches are rows too (kind 'robots' / 'sitemap' / 'start').
CREATE TABLE IF NOT EXISTS internal.crawl_fetch (
    run_id           VARCHAR NOT NULL,
    url              VARCHAR NOT NULL,     -- the URL as planned (before redirects)
    kind             VARCHAR NOT NULL,     -- 'page', 'robots', 'sitemap', 'start'
    outcome          VARCHAR NOT NULL,
    reason           VARCHAR,              -- why failed / skipped / disallowed; NULL otherwise
    http_status      INTEGER,              -- final response status; NULL when none came
    attempts         INTEGER NOT NULL DEFAULT 0,  -- tries of the final request (retries + 1)
    requests         INTEGER NOT NULL DEFAULT 0,  -- HTTP requests sent (retries and redirect hops)
    bytes_received   BIGINT NOT NULL DEFAULT 0,   -- body bytes on the wire (still compressed)
    elapsed_ms       DOUBLE,               -- from the first request to the end of the last body
    fetched_at       TIMESTAMPTZ,          -- wall clock of the first request
    final_url        VARCHAR,              -- after redirects (= url when none)
    conditional      BOOLEAN NOT NULL DEFAULT false,  -- sent If-None-Match / If-Modified-Since
    etag             VARCHAR,              -- validators in force after this fetch (from the
    last_modified    VARCHAR,              --   response, or the ones sent when a 304 omits them)
    sitemap_lastmod  TIMESTAMPTZ,          -- the sitemap's <lastmod> for the URL in this run
    in_sitemap       BOOLEAN,              -- listed by this run's sitemaps (or links followed)
    change           VARCHAR,              -- fetched pages: 'new', 'changed', 'unchanged'
    payload_digest   VARCHAR,              -- digest of the page as of this fetch
    capture_id       VARCHAR,              -- the capture holding the page as of this fetch: the
                                           --   new one, or the earlier one for 304 / unchanged
    warc_path        VARCHAR,              -- the record written for the final response
    warc_offset      BIGINT,               --   (response or revisit), relative to the data dir
    warc_length      BIGINT,
    warc_record_id   VARCHAR,
    warc_record_type VARCHAR,              -- 'response' or 'revisit'
    PRIMARY KEY (run_id, url)
);

-- crawl_validators: one row per page URL: the latest successful fetch (fetched or
-- not_modified) with the validators and sitemap lastmod it left, for the next conditional
-- GET and the lastmod comparison; run_observed_at is the night of that fetch (the age
-- a recheck is due by). Derived from crawl_fetch, never stored twice.
CREATE OR REPLACE VIEW internal.crawl_validators AS
SELECT
    f.url, f.run_id, r.observed_at AS run_observed_at, f.fetched_at, f.http_status,
    f.etag, f.last_modified, f.sitemap_lastmod, f.payload_digest, f.capture_id
FROM internal.crawl_fetch f
JOIN internal.crawl_run r USING (run_id)
WHERE f.kind = 'page' AND f.outcome IN ('fetched', 'not_modified')
QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC, f.run_id DESC) = 1;

-- crawl_url_status: one row per page URL ever planned: its latest outcome other than
-- 'skipped' (a failed URL is retried by the next run), and whether the latest run that
-- looked at it found it in the sitemap (a page skipped for max_pages or host_down was not
-- looked at: it says nothing about the sitemap, so the page is checked for `gone` soon).
CREATE OR REPLACE VIEW internal.crawl_url_status AS
WITH ranked AS (
    SELECT f.*, r.started_at AS run_started_at
    FROM internal.crawl_fetch f JOIN internal.crawl_run r USING (run_id)
    WHERE f.kind = 'page'
)
SELECT
    url,
    max_by(outcome, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_outcome,
    max_by(reason, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_reason,
    max_by(run_id, run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_run_id,
    max_by(in_sitemap, run_started_at)
        FILTER (WHERE outcome <> 'skipped' OR reason = 'unchanged') AS last_in_sitemap,
    max(run_started_at) FILTER (WHERE outcome <> 'skipped') AS last_attempt_started_at
FROM ranked
GROUP BY url;

-- crawl_run_summary: one row per crawl run with its counts, derived from crawl_fetch.
CREATE OR REPLACE VIEW internal.crawl_run_summary AS
SELECT
    r.*,
    count(f.url) FILTER (WHERE f.kind = 'page')                                 AS urls,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'fetched')           AS fetched,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'not_modified')      AS not_modified,
    count(*) FILTER (WHERE f.kind = 'page' AND f.change = 'new')                AS new_pages,
    count(*) FILTER (WHERE f.kind = 'page' AND f.change = 'changed')            AS changed,
    count(*) FILTER (WHERE f.kind = 'page' AND f.change = 'unchanged')          AS unchanged,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'gone')              AS gone,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'failed')            AS failed,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'disallowed')        AS disallowed,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'out_of_scope')      AS out_of_scope,
    count(*) FILTER (WHERE f.kind = 'page' AND f.outcome = 'skipped')           AS skipped,
    coalesce(sum(f.requests), 0)::BIGINT                                        AS requests,
    coalesce(sum(f.bytes_received), 0)::BIGINT                                  AS bytes_received
FROM internal.crawl_run r
LEFT JOIN internal.crawl_fetch f USING (run_id)
GROUP BY ALL;
