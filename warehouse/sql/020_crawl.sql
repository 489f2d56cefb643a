-- Crawl bookkeeping: what each crawl run asked the site for, and what came back.
-- Idempotent like every schema file. Page contents live in `capture` (010_core.sql);
-- these tables say how and when each URL was fetched, so a run can be resumed, the next
-- run can send conditional GETs, and nothing is refetched that has not changed.

-- crawl_run: one row per crawl run (one night). A run killed or stopped by an error before
-- its end keeps finished_at NULL (status 'running', or 'failed' with its error) and is
-- resumed (same run_id) by the next crawl with the same observed_at. A night that ran to
-- its end but did not do its job (site unreachable, too many failures) is 'failed' with a
-- finished_at. Its counts are derived from crawl_fetch and crawl_run_skip by the
-- crawl_run_summary view.
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
-- Every URL the run discovered or planned ends here with an outcome (but one left alone as
-- unchanged, see skipped):
--   fetched       a response with the page (new capture, or a revisit when the payload
--                 digest equals the previous one)
--   not_modified  304 to a conditional GET: the page state persists, no new capture
--   gone          404 / 410
--   failed        `reason` says why: timeout, connection_reset, connection_error,
--                 too_large, truncated_body, redirect_offsite, redirect_private,
--                 redirect_loop, http_5xx, http_429, http_<status>, bad_content_type, …
--   disallowed    robots.txt disallows it: never requested
--   out_of_scope  not a comparison page, or not on the target host: never requested; a
--                 row the first night a URL is found so, then counted in crawl_run_skip
--   skipped       not requested tonight: `reason` 'max_pages', or 'host_down' (the host's
--                 circuit breaker opened: retried next run). A page skipped as
--                 'unchanged' (same sitemap lastmod as at the last successful fetch,
--                 recheck not due: most pages, most nights) has no row: it is counted in
--                 crawl_run_skip and noted in crawl_url_state (rows of that kind written
--                 before those tables existed stay, and still count).
-- Robots.txt and sitemap fetches are rows too (kind 'robots' / 'sitemap' / 'start').
-- (run_id, url) is unique, kept so by its one writer (queries/crawl_fetch_upsert.sql), not
-- by a PRIMARY KEY: DuckDB rewrites a table's whole index at every CHECKPOINT, and this one
-- grows by every night's rows (0.25 s of each night's publish after a year of 3,000 pages).
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
    warc_record_type VARCHAR               -- 'response' or 'revisit'
);

-- crawl_run_skip: one row per crawl run and reason for which the run left pages alone
-- without writing a crawl_fetch row for each: how many. The reason is 'unchanged' (same
-- sitemap lastmod as at the last successful fetch, recheck not due): on a quiet night that
-- is nearly every page, so a night costs one row here rather than a row per page. Kept by
-- warehouse.crawl_state.record_fetches (queries/crawl_run_skip_count.sql) with the page's
-- crawl_url_state.unchanged_run_id, so a resumed run counts a page once. Or the reason is
-- 'not_a_comparison_page': discovered URLs out of scope (tool pages…) that an earlier run
-- already recorded with an out_of_scope row (warehouse.crawl_state.record_known_out_of_scope).
CREATE TABLE IF NOT EXISTS internal.crawl_run_skip (
    run_id  VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL,   -- 'unchanged' or 'not_a_comparison_page'
    pages   BIGINT NOT NULL,    -- URLs the run left alone for that reason
    PRIMARY KEY (run_id, reason)
);

-- crawl_url_state: one row per page URL ever planned: what the next run plans from, kept
-- current by every write of crawl_fetch rows (warehouse.crawl_state.record_fetches, in the
-- same transaction: queries/crawl_url_state_upsert.sql), so planning reads one row per
-- page instead of every past night. It says what crawl_fetch says (plus the pages left
-- alone as unchanged, which have no row there): three parts, each with the run it comes
-- from; ties of started_at go to the greater run_id.
--   last_*     the latest row other than 'skipped', by its run's started_at (a failed URL
--              is retried by the next run): last_outcome, last_reason (that row's)
--   sitemap_*  the latest run that looked at the page: a row other than 'skipped', or
--              the page left alone as unchanged; a row skipped for max_pages or host_down
--              says nothing about the sitemap (and neither does one without in_sitemap)
--   success_*  the latest successful fetch ('fetched' or 'not_modified', by fetched_at
--              then run_id), with the validators and sitemap lastmod it left, for the next
--              conditional GET and the lastmod comparison
CREATE TABLE IF NOT EXISTS internal.crawl_url_state (
    url                    VARCHAR PRIMARY KEY,
    last_run_id            VARCHAR,       -- the run of the latest row other than skipped
    last_run_started_at    TIMESTAMPTZ,   --   its started_at (the order of runs)
    last_outcome           VARCHAR,       --   its outcome
    last_reason            VARCHAR,       --   its reason
    sitemap_run_id         VARCHAR,       -- the latest run that looked at the page
    sitemap_run_started_at TIMESTAMPTZ,
    last_in_sitemap        BOOLEAN,       --   whether that run found it in the sitemap
    unchanged_run_id       VARCHAR,       -- the run that last left the page alone as
                                          --   unchanged (counted in crawl_run_skip)
    success_run_id         VARCHAR,       -- the run of the latest successful fetch
    success_observed_at    TIMESTAMPTZ,   --   its observed_at (the age a recheck is due by)
    success_fetched_at     TIMESTAMPTZ,   --   its fetched_at
    http_status            INTEGER,       --   and the rest of that fetch's row
    etag                   VARCHAR,
    last_modified          VARCHAR,
    sitemap_lastmod        TIMESTAMPTZ,
    payload_digest         VARCHAR,
    capture_id             VARCHAR
);

-- A warehouse made before crawl_url_state kept all of it in crawl_fetch (one row per page
-- per night): filled from there once, when the table is empty beside page rows (the
-- NOT EXISTS makes this a no-op on every later connect).
INSERT INTO internal.crawl_url_state BY NAME
WITH pages AS (
    SELECT f.*, r.started_at AS run_started_at, r.observed_at AS run_observed_at
    FROM internal.crawl_fetch f JOIN internal.crawl_run r USING (run_id)
    WHERE f.kind = 'page' AND NOT EXISTS (SELECT 1 FROM internal.crawl_url_state)
),
status AS (
    SELECT url, run_id AS last_run_id, run_started_at AS last_run_started_at,
           outcome AS last_outcome, reason AS last_reason
    FROM pages WHERE outcome <> 'skipped'
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY run_started_at DESC, run_id DESC) = 1
),
sitemap AS (
    SELECT url, run_id AS sitemap_run_id, run_started_at AS sitemap_run_started_at,
           in_sitemap AS last_in_sitemap
    FROM pages
    WHERE (outcome <> 'skipped' OR reason = 'unchanged') AND in_sitemap IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY run_started_at DESC, run_id DESC) = 1
),
success AS (
    SELECT url, run_id AS success_run_id, run_observed_at AS success_observed_at,
           fetched_at AS success_fetched_at, http_status, etag, last_modified,
           sitemap_lastmod, payload_digest, capture_id
    FROM pages WHERE outcome IN ('fetched', 'not_modified')
    QUALIFY row_number() OVER (PARTITION BY url
                               ORDER BY fetched_at DESC NULLS LAST, run_id DESC) = 1
)
SELECT * FROM (SELECT DISTINCT url FROM pages)
LEFT JOIN status USING (url) LEFT JOIN sitemap USING (url) LEFT JOIN success USING (url);

-- crawl_validators: one row per page URL with a successful fetch: the latest one (fetched
-- or not_modified) with the validators and sitemap lastmod it left, for the next
-- conditional GET and the lastmod comparison; run_observed_at is the night of that fetch
-- (the age a recheck is due by). Read from crawl_url_state, never stored twice.
CREATE OR REPLACE VIEW internal.crawl_validators AS
SELECT
    url, success_run_id AS run_id, success_observed_at AS run_observed_at,
    success_fetched_at AS fetched_at, http_status, etag, last_modified, sitemap_lastmod,
    payload_digest, capture_id
FROM internal.crawl_url_state
WHERE success_run_id IS NOT NULL;

-- crawl_url_status: one row per page URL ever planned: its latest outcome other than
-- 'skipped' (a failed URL is retried by the next run), and whether the latest run that
-- looked at it found it in the sitemap (a page skipped for max_pages or host_down was not
-- looked at: it says nothing about the sitemap, so the page is checked for `gone` soon).
-- Read from crawl_url_state.
CREATE OR REPLACE VIEW internal.crawl_url_status AS
SELECT url, last_outcome, last_reason, last_run_id, last_in_sitemap,
       last_run_started_at AS last_attempt_started_at
FROM internal.crawl_url_state;

-- crawl_run_summary: one row per crawl run with its counts, derived from crawl_fetch; the
-- pages left alone as unchanged (`skipped`) and the URLs known out of scope
-- (`out_of_scope`) are counted in crawl_run_skip (and in `urls`).
CREATE OR REPLACE VIEW internal.crawl_run_summary AS
WITH fetches AS (
    SELECT
        run_id,
        count(*) FILTER (WHERE kind = 'page')                                   AS urls,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'fetched')           AS fetched,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'not_modified')      AS not_modified,
        count(*) FILTER (WHERE kind = 'page' AND change = 'new')                AS new_pages,
        count(*) FILTER (WHERE kind = 'page' AND change = 'changed')            AS changed,
        count(*) FILTER (WHERE kind = 'page' AND change = 'unchanged')          AS unchanged,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'gone')              AS gone,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'failed')            AS failed,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'disallowed')        AS disallowed,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'out_of_scope')      AS out_of_scope,
        count(*) FILTER (WHERE kind = 'page' AND outcome = 'skipped')           AS skipped,
        sum(requests)                                                           AS requests,
        sum(bytes_received)                                                     AS bytes_received
    FROM internal.crawl_fetch
    GROUP BY run_id
),
skips AS (
    SELECT run_id, sum(pages) AS pages,
           sum(pages) FILTER (WHERE reason = 'unchanged') AS unchanged,
           sum(pages) FILTER (WHERE reason = 'not_a_comparison_page') AS out_of_scope
    FROM internal.crawl_run_skip GROUP BY run_id
)
SELECT
    r.*,
    (coalesce(f.urls, 0) + coalesce(s.pages, 0))::BIGINT                      AS urls,
    coalesce(f.fetched, 0)                                                     AS fetched,
    coalesce(f.not_modified, 0)                                                AS not_modified,
    coalesce(f.new_pages, 0)                                                   AS new_pages,
    coalesce(f.changed, 0)                                                     AS changed,
    coalesce(f.unchanged, 0)                                                   AS unchanged,
    coalesce(f.gone, 0)                                                        AS gone,
    coalesce(f.failed, 0)                                                      AS failed,
    coalesce(f.disallowed, 0)                                                  AS disallowed,
    (coalesce(f.out_of_scope, 0) + coalesce(s.out_of_scope, 0))::BIGINT       AS out_of_scope,
    (coalesce(f.skipped, 0) + coalesce(s.unchanged, 0))::BIGINT               AS skipped,
    coalesce(f.requests, 0)::BIGINT                                            AS requests,
    coalesce(f.bytes_received, 0)::BIGINT                                      AS bytes_received
FROM internal.crawl_run r
LEFT JOIN fetches f USING (run_id)
LEFT JOIN skips s USING (run_id);
