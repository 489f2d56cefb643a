-- Page life and trends: when each comparison page was live, and each tool's figure (and
-- each critic's review of it) across all its live pages over time, built on the card and
-- review histories of 040_history.sql; then the record of each refresh. Idempotent.
--
-- Everything here lives in the schema `internal` (005_schemas.sql). As in 040_history.sql,
-- each `*_live` view is the unscoped form of a `*_of(scoped)` table macro (a pure function
-- of the observations), and the table trend_state holds its last materialisation, rebuilt
-- by warehouse.history.refresh_history(con) after tool_state and review_state.

-- page_life_live: one row per span of time in which a comparison page was live. A page is
-- live from its first capture until it is gone: a crawl found it 404/410 (page_gone
-- outcome 'gone'), or out of the sitemap and failing (outcome 'failed'; 035_page_gone.sql);
-- the evidence is dated by its run's observed_at (the night). A later capture makes it
-- live again (a new span). A capture and a gone row at the same moment: the capture wins.
--   url         the page
--   span_no     1, 2, … in time order
--   live_from   observed_at of the span's first capture
--   live_to     observed_at of the run that found it gone; NULL = still live
--   ended_by    'gone' (404/410) or 'failed' (out of the sitemap and failing); NULL = live
--   source      the source of the span's first capture
-- page_life_of(scoped): the same for the pages in internal.pending_life_url (scoped true).
CREATE OR REPLACE MACRO internal.page_life_of(scoped) AS TABLE
WITH ev AS (
    SELECT url, observed_at AS moment, true AS alive, NULL::VARCHAR AS outcome,
           source, payload_digest, capture_id
    FROM internal.capture
    WHERE url IS NOT NULL
      AND (NOT scoped OR url IN (SELECT url FROM internal.pending_life_url))
    UNION ALL
    SELECT g.url, g.observed_at, false, g.outcome, 'crawl', NULL, NULL
    FROM internal.page_gone g
    WHERE NOT scoped OR g.url IN (SELECT url FROM internal.pending_life_url)
),
flagged AS (  -- a span starts where liveness flips (at one moment, gone sorts first)
    SELECT *, (alive IS DISTINCT FROM lag(alive) OVER w)::INTEGER AS is_new
    FROM ev
    WINDOW w AS (PARTITION BY url ORDER BY moment, alive, outcome)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY url ORDER BY moment, alive, outcome
                                ROWS UNBOUNDED PRECEDING) AS run_no
    FROM flagged
),
spans AS (
    SELECT url, run_no, bool_and(alive) AS alive, min(moment) AS start_at,
           arg_min(outcome, (moment, outcome)) AS outcome,
           arg_min(source, (moment, payload_digest, capture_id)) AS source
    FROM runs
    GROUP BY url, run_no
),
bounded AS (
    SELECT *, lead(start_at) OVER (PARTITION BY url ORDER BY run_no) AS end_at,
              lead(outcome) OVER (PARTITION BY url ORDER BY run_no) AS end_outcome
    FROM spans
)
SELECT url, (row_number() OVER (PARTITION BY url ORDER BY start_at))::INTEGER AS span_no,
       start_at AS live_from, end_at AS live_to, end_outcome AS ended_by, source
FROM bounded
WHERE alive;

-- page_life_live: one row per span of time in which a comparison page was live, over
-- every page: page_life_of(false), documented above.
CREATE OR REPLACE VIEW internal.page_life_live AS
SELECT * FROM internal.page_life_of(false);

-- badge(pct): the site's badge for a panel ship %: above 50 'Ship', 50 'Mixed', below
-- 'Skip' (NULL for NULL). Compact pages show no badge, but every page shows the %.
CREATE OR REPLACE MACRO internal.badge(pct) AS
    CASE WHEN pct > 50 THEN 'Ship' WHEN pct = 50 THEN 'Mixed' WHEN pct < 50 THEN 'Skip' END;

-- trend_series_live: one row per state of each series a trend is built from, with a known
-- value: a tool card on a page (kind 'panel': value = panel ship %, verdict by the site's
-- badge rule: > 50 'Ship', 50 'Mixed', < 50 'Skip'; category = the canonical category,
-- internal.category_map, else the raw one) or one critic's review of a tool on a page
-- (kind 'review': value = score, verdict 'ship'/'skip'; inferred = the score was matched
-- from another page, see `reviews`). Read from the materialised tool_state / review_state;
-- a state whose value is unknown (NULL) is left out, so a page keeps its latest known value.
-- Of several states of a page that start at the same moment (captures made at the same
-- instant), the last one (by state_no) counts. source: the source of the state's first
-- capture. trend_series_of(scoped): the same for the tools in internal.pending_slug.
CREATE OR REPLACE MACRO internal.trend_series_of(scoped) AS TABLE
SELECT * EXCLUDE (state_no) FROM (
    SELECT 'panel' AS kind, s.tool_slug AS slug, '' AS persona, s.url, s.position AS pos,
           s.valid_from, s.panel_ship_pct AS value,
           internal.badge(s.panel_ship_pct) AS verdict,
           false AS inferred,
           coalesce(m.canonical, trim(s.category)) AS category, s.source, s.state_no
    FROM internal.tool_state s
    LEFT JOIN internal.category_map m ON m.category = trim(s.category)
    WHERE s.panel_ship_pct IS NOT NULL
      AND (NOT scoped OR s.tool_slug IN (SELECT slug FROM internal.pending_slug))
    UNION ALL
    SELECT 'review', tool_slug, persona, url, tool_position, valid_from, score, verdict,
           coalesce(score_source = 'matched', false), NULL, source, state_no
    FROM internal.review_state
    WHERE score IS NOT NULL AND tool_slug IS NOT NULL AND persona IS NOT NULL
      AND (NOT scoped OR tool_slug IN (SELECT slug FROM internal.pending_slug))
)
QUALIFY row_number() OVER (PARTITION BY kind, slug, persona, url, pos, valid_from
                           ORDER BY state_no DESC) = 1;

-- trend_series_live: one row per state of each series a trend is built from, over every
-- tool: trend_series_of(false), documented above.
CREATE OR REPLACE VIEW internal.trend_series_live AS
SELECT * FROM internal.trend_series_of(false);

-- majority(xs, tie): the most common non-NULL value of the list xs; on a tie between the
-- most common values, `tie` (e.g. 'split'), or when `tie` is NULL the smallest of them.
-- NULL for an empty list.
CREATE OR REPLACE MACRO internal.majority(xs, tie) AS
    CASE WHEN len(list_filter(xs, lambda x: x IS NOT NULL)) = 0 THEN NULL ELSE (
        SELECT CASE WHEN len(s) > 1 AND s[2].n = s[1].n AND tie IS NOT NULL THEN tie
                    ELSE s[1].k END
        FROM (SELECT list_sort(list_transform(list_distinct(xs), lambda k: {
                  'n': -len(list_filter(xs, lambda y: y = k)), 'k': k})) AS s)
    ) END;

-- pending_trend_prior: one row per trend figure (kind, slug, persona) of a tool an
-- incremental refresh is rebuilding: its last trend_state row before the tool's since,
-- which stays (trend_state_of(true) numbers on from it and compares with it). Filled and
-- emptied within one refresh (queries/history_trend_state_incremental.sql).
CREATE TABLE IF NOT EXISTS internal.pending_trend_prior (
    kind VARCHAR, slug VARCHAR, persona VARCHAR, state_no INTEGER, valid_from TIMESTAMPTZ,
    verdict VARCHAR, value DOUBLE, pages INTEGER, value_min INTEGER, value_max INTEGER,
    inferred_pages INTEGER, category VARCHAR
);

-- trend_state_live: one row per state of a tool's figure across all its live pages (kind
-- 'panel', persona '') or of a critic's review of a tool across them (kind 'review').
-- The rule: at any moment t, each page of the tool that is live at t (page_life_live)
-- contributes the latest state of its card (review) at or before t (trend_series_live);
-- the figure aggregates those pages:
--   verdict      the majority verdict of the pages; 'split' when the most common verdicts tie
--   value        the median of the pages' values (panel ship % / score)
--   pages        the number of pages counted; value_min, value_max their range
--   inferred_pages  pages whose score was matched from another page (reviews)
--   category     the majority canonical category (panel; on a tie the first by name)
-- A new state starts whenever that aggregate changes (a state with pages 0: every page is
-- gone). Its cause is what happened at valid_from to the tool's pages: 'page_added' (a
-- page became live or first showed the tool), 'page_changed' (a page's value, verdict or
-- category changed) or 'page_gone'; cause_url is that page (the first by URL when several
-- pages changed at that moment; cause_pages counts them). cause_source: the source of the
-- capture behind the cause at cause_url (the one that opened the page's state or its live
-- span), 'crawl' for 'page_gone' (a crawl found the page gone).
-- trend_state_of(scoped): with scoped true, the states of the tools in
-- internal.pending_slug from each tool's `since` on (reading page life for
-- internal.pending_life_url: an incremental refresh fills both), numbered on from, and
-- compared with, each figure's last state before it (internal.pending_trend_prior, kept).
-- A figure's states before since do not depend on what changed at or after it, so only
-- each series' states from since on and its last one before are read: a night's refresh
-- costs what changed, not the tools' whole history.
-- (Evaluated per page change, not per moment x page: a page's contribution changes only
-- at its own states and life events, so it is spread over the moments it covers.)
CREATE OR REPLACE MACRO internal.trend_state_of(scoped) AS TABLE
WITH bound AS (  -- scoped: the moment each pending tool's states are recomputed from
    SELECT slug, coalesce(since, '-infinity'::TIMESTAMPTZ) AS since
    FROM internal.pending_slug WHERE scoped
),
prior AS (  -- scoped: each figure's last state before its tool's since (kept as it is)
    SELECT kind, slug, persona, state_no, valid_from,
           {'verdict': verdict, 'value': value, 'pages': pages, 'value_min': value_min,
            'value_max': value_max, 'inferred_pages': inferred_pages,
            'category': category} AS fig
    FROM internal.pending_trend_prior WHERE scoped
),
series AS (  -- each series' states from its tool's since on, and the one in force
             -- before it, moved to the moment just before since (`eve`: since - 1 µs)
    SELECT * EXCLUDE (from_at, valid_from),
           CASE WHEN valid_from < from_at THEN from_at - INTERVAL 1 MICROSECOND
                ELSE valid_from END AS valid_from
    FROM (SELECT t.*, coalesce(b.since, '-infinity'::TIMESTAMPTZ) AS from_at
          FROM internal.trend_series_of(scoped) t LEFT JOIN bound b USING (slug)
          QUALIFY t.valid_from >= from_at
               OR row_number() OVER (PARTITION BY kind, slug, persona, url, pos,
                                                  t.valid_from < from_at
                                     ORDER BY t.valid_from DESC) = 1)
),
life AS (  -- per tool, its pages' live spans from its since on: a span begun before it
           -- starts at the eve, one ended before it is left out
    SELECT k.slug, l.url, l.span_no,
           CASE WHEN l.live_from < k.since THEN k.since - INTERVAL 1 MICROSECOND
                ELSE l.live_from END AS live_from,
           l.live_to, l.ended_by, l.source
    FROM internal.page_life_of(scoped) l
    JOIN (SELECT DISTINCT s.slug, s.url, coalesce(b.since, '-infinity'::TIMESTAMPTZ) AS since
          FROM series s LEFT JOIN bound b USING (slug)) k USING (url)
    WHERE l.live_to IS NULL OR l.live_to >= k.since
),
keys AS (
    SELECT DISTINCT kind, slug, persona, url, pos FROM series
),
changes AS (  -- the moments at which one page's contribution may change: its states, its life
    SELECT DISTINCT * FROM (
        SELECT kind, slug, persona, url, pos, valid_from AS moment FROM series
        UNION ALL
        SELECT k.*, l.live_from FROM keys k JOIN life l USING (slug, url)
        UNION ALL
        SELECT k.*, l.live_to FROM keys k JOIN life l USING (slug, url)
        WHERE l.live_to IS NOT NULL
    )
),
points AS (  -- every moment at which one of the figure's pages changed or came or went:
             -- numbered (idx) in time order, n of them per figure (kind, slug, persona)
    SELECT *, row_number() OVER (k ORDER BY moment) AS idx, count(*) OVER k AS n
    FROM (SELECT DISTINCT kind, slug, persona, moment FROM changes)
    WINDOW k AS (PARTITION BY kind, slug, persona)
),
valued AS (  -- a page's contribution from each of its change moments on: NULL when not
             -- live or no value yet (constant until its next change moment)
    SELECT c.kind, c.slug, c.persona, c.url, c.pos, c.moment,
           CASE WHEN l.live_from IS NOT NULL AND (l.live_to IS NULL OR c.moment < l.live_to)
                 AND s.value IS NOT NULL
                THEN {'value': s.value, 'verdict': s.verdict, 'category': s.category} END AS cur,
           s.inferred,
           coalesce(CASE WHEN s.valid_from = c.moment THEN s.source END,
                    CASE WHEN l.live_from = c.moment THEN l.source END) AS opened_by
    FROM changes c
    ASOF LEFT JOIN series s
        ON s.kind = c.kind AND s.slug = c.slug AND s.persona = c.persona AND s.url = c.url
       AND s.pos = c.pos AND c.moment >= s.valid_from
    ASOF LEFT JOIN life l
        ON l.slug = c.slug AND l.url = c.url AND c.moment >= l.live_from
),
spans AS (  -- each contribution holds over [moment, until); prev: the one before it
    SELECT *, lag(cur) OVER w AS prev, lead(moment) OVER w AS until
    FROM valued
    WINDOW w AS (PARTITION BY kind, slug, persona, url, pos ORDER BY moment)
),
events AS (  -- what happened at a moment to the tool's pages whose contribution changed
    SELECT kind, slug, persona, moment,
           arg_min(CASE WHEN prev IS NULL THEN 'page_added'
                        WHEN cur IS NULL THEN 'page_gone'
                        ELSE 'page_changed' END, url) AS cause,
           min(url) AS cause_url,
           arg_min(CASE WHEN prev IS NOT NULL AND cur IS NULL THEN 'crawl' ELSE opened_by END,
                   url) AS cause_source,
           count(DISTINCT url)::INTEGER AS cause_pages
    FROM spans
    WHERE prev IS DISTINCT FROM cur
    GROUP BY kind, slug, persona, moment
),
live AS (  -- a page's value at each moment (idx) its span covers, when live with a value
    SELECT s.kind, s.slug, s.persona, s.cur, s.inferred,
           unnest(range(a.idx, coalesce(b.idx, a.n + 1))) AS idx
    FROM spans s
    JOIN points a
        ON a.kind = s.kind AND a.slug = s.slug AND a.persona = s.persona AND a.moment = s.moment
    LEFT JOIN points b
        ON b.kind = s.kind AND b.slug = s.slug AND b.persona = s.persona AND b.moment = s.until
    WHERE s.cur IS NOT NULL
),
figures AS (
    SELECT kind, slug, persona, idx,
           count(cur)::INTEGER AS pages,
           internal.majority(list(cur.verdict), 'split') AS verdict,
           quantile_cont(cur.value, 0.5)::DOUBLE AS value,
           min(cur.value) AS value_min,
           max(cur.value) AS value_max,
           count(cur) FILTER (WHERE inferred)::INTEGER AS inferred_pages,
           internal.majority(list(cur.category), NULL) AS category
    FROM live
    GROUP BY kind, slug, persona, idx
),
agg AS (  -- the figures at every moment (none live: pages 0) and what caused them
    SELECT p.kind, p.slug, p.persona, p.moment, coalesce(f.pages, 0)::INTEGER AS pages,
           f.verdict, f.value, f.value_min, f.value_max,
           coalesce(f.inferred_pages, 0)::INTEGER AS inferred_pages, f.category,
           e.cause, e.cause_url, e.cause_source,
           coalesce(e.cause_pages, 0)::INTEGER AS cause_pages
    FROM points p
    LEFT JOIN figures f USING (kind, slug, persona, idx)
    LEFT JOIN events e USING (kind, slug, persona, moment)
),
started AS (  -- from the first moment a page counts (a figure with a prior state counted
              -- before), and from the tool's since on
    SELECT a.kind, a.slug, a.persona, a.moment,
           {'verdict': a.verdict, 'value': a.value, 'pages': a.pages,
            'value_min': a.value_min, 'value_max': a.value_max,
            'inferred_pages': a.inferred_pages, 'category': a.category} AS fig,
           a.cause, a.cause_url, a.cause_pages, a.cause_source, false AS kept
    FROM (SELECT *, max(pages) OVER (PARTITION BY kind, slug, persona ORDER BY moment
                                     ROWS UNBOUNDED PRECEDING) AS seen
          FROM agg) a
    LEFT JOIN bound b ON b.slug = a.slug
    LEFT JOIN prior p ON p.kind = a.kind AND p.slug = a.slug AND p.persona = a.persona
    WHERE (a.seen > 0 OR p.slug IS NOT NULL)
      AND a.moment >= coalesce(b.since, '-infinity'::TIMESTAMPTZ)
),
flagged AS (  -- a state starts where the figure differs from the one before (the prior's)
    SELECT *, (fig IS DISTINCT FROM lag(fig) OVER (PARTITION BY kind, slug, persona
                                                   ORDER BY moment))::INTEGER AS is_new
    FROM (SELECT * FROM started
          UNION ALL BY NAME
          SELECT kind, slug, persona, valid_from AS moment, fig, true AS kept FROM prior)
),
states AS (
    SELECT * FROM flagged WHERE is_new = 1 AND NOT kept
)
SELECT s.kind, s.slug, s.persona,
       (coalesce(p.state_no, 0) + row_number() OVER k)::INTEGER AS state_no,
       s.moment AS valid_from,
       lead(s.moment) OVER k AS valid_to,
       s.fig.verdict, s.fig.value, s.fig.pages, s.fig.value_min, s.fig.value_max,
       s.fig.inferred_pages, s.fig.category,
       s.cause, s.cause_url, s.cause_pages, s.cause_source
FROM states s
LEFT JOIN prior p ON p.kind = s.kind AND p.slug = s.slug AND p.persona = s.persona
WINDOW k AS (PARTITION BY s.kind, s.slug, s.persona ORDER BY s.moment);

-- trend_state_live: one row per state of a tool's figure (or a critic's review of it)
-- across all its live pages, over every tool: trend_state_of(false), documented above.
CREATE OR REPLACE VIEW internal.trend_state_live AS
SELECT * FROM internal.trend_state_of(false);

-- The materialised trend (rebuilt by refresh_history after tool_state and review_state).
CREATE TABLE IF NOT EXISTS internal.trend_state AS
SELECT * FROM internal.trend_state_live WITH NO DATA;
ALTER TABLE internal.trend_state ADD COLUMN IF NOT EXISTS cause_source VARCHAR;

-- analytics_refresh: one row per refresh of the derived tables (vendors, categories and
-- histories).
--   refreshed_at  when it ran
--   signature     the fingerprint it was built under (schema, mapping files, vendor rules,
--                 parser versions: warehouse.history.fingerprint)
--   seconds       how long it took
--   mode          'full' (every derived row rebuilt) or 'incremental' (only what the
--                 refresh log, 012_refresh_log.sql, named)
CREATE TABLE IF NOT EXISTS internal.analytics_refresh (
    refreshed_at TIMESTAMPTZ NOT NULL,
    signature    VARCHAR NOT NULL,
    seconds      DOUBLE,
    mode         VARCHAR
);
ALTER TABLE internal.analytics_refresh ADD COLUMN IF NOT EXISTS mode VARCHAR;
