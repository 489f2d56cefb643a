-- History (SCD2): the sequence of distinct states of every tool card and every review, as
-- the pages showed them over time. Idempotent.
--
-- Everything here lives in the schema `internal` (005_schemas.sql).
-- Each `*_live` view derives a history from the observations alone (a pure function of the
-- observation set: loading or reparsing captures in any order gives the same rows). Ties
-- in time within one page are broken by the payload digest (the page's content), never by
-- a hash of the URL or capture_id, so the same pages give the same rows whatever host or
-- port they were crawled from. The same-named tables without `_live` hold the last
-- materialisation of those views: warehouse.history.refresh_history(con) rebuilds them
-- (the loaders call it after each load; publish_snapshot() calls it when they are stale), so
-- that the analyst views in 050_views.sql stay fast on tens of millions of observations.
--
-- Rules shared by every history here:
-- * A state starts (valid_from) when it was first observed and ends (valid_to) when a
--   different state was first observed in the same series; valid_to NULL = current.
--   Returning to an earlier state starts a new row.
-- * Captures without a URL (text imports) have no slug: they are left out.
-- * "Not shown" is not "changed": a compact page shows no badge, Decision table or scores,
--   and a truncated capture loses whatever was cut. Such a NULL keeps the series' previous
--   value, except the Decision table's panel figures (badge, panel_verdict, ship/skip votes),
--   which are kept only while the panel ship % they were seen with is unchanged (else NULL:
--   unknown, never invented).

-- tool_state_live: one row per state of one tool card on one page (series key: tool_slug,
-- url, position), i.e. the tool's figures as that page showed them from valid_from until
-- valid_to. Two pages that disagree on the same day are two series, each with its source.
-- Every source's captures (crawl, imports, web-archive backfills) merge in time order.
-- tool_state_of(scoped): the same rows for the pages in internal.pending_url only (scoped
-- true: what an incremental refresh recomputes) or for all (false: the view).
--   tool_slug, url, position  the series: the tool, the comparison page, the card (1 left, 2 right)
--   state_no        1, 2, … in time order within the series
--   valid_from      observed_at of the first capture showing this state
--   valid_to        observed_at of the first capture showing the next state; NULL = current
--   last_seen_at    observed_at of the last capture showing this state
--   observations    number of captures showing this state
--   first_capture_id, last_capture_id   the captures at valid_from and last_seen_at
--   source, last_source   those captures' sources ('crawl', 'import', 'wayback', …)
--   name … best_for, community_ship_votes, community_votes   the card's values (see
--                   tool_observation), with the rules above (the community vote counts,
--                   Decision-table values, are kept like the panel votes, while the
--                   community % they were seen with is unchanged)
CREATE OR REPLACE MACRO internal.tool_state_of(scoped) AS TABLE
WITH obs AS (
    SELECT
        o.tool_slug, c.url, o.position, o.observed_at, o.capture_id, c.payload_digest,
        c.source, c.layout, c.parse_status = 'truncated' AS cut, coalesce(c.layout, '') <> 'full' AS compact,
        o.name, o.category, o.tagline, o.badge, o.panel_ship_pct, o.community_pct, o.entry,
        o.description, o.panel_verdict, o.ship_votes, o.skip_votes, o.pricing, o.best_for,
        o.community_ship_votes, o.community_votes,
        CASE WHEN o.community_votes IS NOT NULL THEN {
            'pct': o.community_pct, 'ship': o.community_ship_votes,
            'all': o.community_votes} END AS community,
        CASE WHEN c.layout = 'full' AND o.panel_verdict IS NOT NULL THEN {
            'pct': o.panel_ship_pct, 'badge': o.badge, 'panel_verdict': o.panel_verdict,
            'ship_votes': o.ship_votes, 'skip_votes': o.skip_votes} END AS decision
    FROM internal.tool_observation o
    JOIN internal.capture c USING (capture_id)
    WHERE o.tool_slug IS NOT NULL AND c.url IS NOT NULL
      AND (NOT scoped OR c.url IN (SELECT url FROM internal.pending_url))
),
prev AS (
    SELECT *,
        last_value(name IGNORE NULLS) OVER w AS p_name,
        last_value(category IGNORE NULLS) OVER w AS p_category,
        last_value(tagline IGNORE NULLS) OVER w AS p_tagline,
        last_value(panel_ship_pct IGNORE NULLS) OVER w AS p_panel_ship_pct,
        last_value(community_pct IGNORE NULLS) OVER w AS p_community_pct,
        last_value(entry IGNORE NULLS) OVER w AS p_entry,
        last_value(description IGNORE NULLS) OVER w AS p_description,
        last_value(pricing IGNORE NULLS) OVER w AS p_pricing,
        last_value(best_for IGNORE NULLS) OVER w AS p_best_for,
        last_value(decision IGNORE NULLS) OVER w AS p_decision,
        last_value(community IGNORE NULLS) OVER w AS p_community
    FROM obs
    WINDOW w AS (PARTITION BY tool_slug, url, position ORDER BY observed_at, payload_digest, capture_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
filled AS (
    SELECT tool_slug, url, position, observed_at, capture_id, payload_digest, source, {
        'name': CASE WHEN cut THEN coalesce(name, p_name) ELSE name END,
        'category': CASE WHEN cut THEN coalesce(category, p_category) ELSE category END,
        'tagline': CASE WHEN cut THEN coalesce(tagline, p_tagline) ELSE tagline END,
        'badge': CASE WHEN badge IS NULL AND (cut OR compact)
                       AND p_decision.pct IS NOT DISTINCT FROM coalesce(panel_ship_pct, p_panel_ship_pct)
                      THEN p_decision.badge ELSE badge END,
        'panel_ship_pct': CASE WHEN cut THEN coalesce(panel_ship_pct, p_panel_ship_pct)
                               ELSE panel_ship_pct END,
        'community_pct': CASE WHEN cut THEN coalesce(community_pct, p_community_pct)
                              ELSE community_pct END,
        'entry': CASE WHEN cut THEN coalesce(entry, p_entry) ELSE entry END,
        'description': CASE WHEN cut THEN coalesce(description, p_description) ELSE description END,
        'panel_verdict': CASE WHEN panel_verdict IS NULL AND (cut OR compact)
                               AND p_decision.pct IS NOT DISTINCT FROM coalesce(panel_ship_pct, p_panel_ship_pct)
                              THEN p_decision.panel_verdict ELSE panel_verdict END,
        'ship_votes': CASE WHEN ship_votes IS NULL AND (cut OR compact)
                            AND p_decision.pct IS NOT DISTINCT FROM coalesce(panel_ship_pct, p_panel_ship_pct)
                           THEN p_decision.ship_votes ELSE ship_votes END,
        'skip_votes': CASE WHEN skip_votes IS NULL AND (cut OR compact)
                            AND p_decision.pct IS NOT DISTINCT FROM coalesce(panel_ship_pct, p_panel_ship_pct)
                           THEN p_decision.skip_votes ELSE skip_votes END,
        'pricing': CASE WHEN cut OR compact THEN coalesce(pricing, p_pricing) ELSE pricing END,
        'best_for': CASE WHEN cut OR compact THEN coalesce(best_for, p_best_for) ELSE best_for END,
        'community_ship_votes': CASE WHEN community_votes IS NULL AND (cut OR compact)
                                      AND p_community.pct IS NOT DISTINCT FROM
                                          coalesce(community_pct, p_community_pct)
                                     THEN p_community.ship ELSE community_ship_votes END,
        'community_votes': CASE WHEN community_votes IS NULL AND (cut OR compact)
                                 AND p_community.pct IS NOT DISTINCT FROM
                                     coalesce(community_pct, p_community_pct)
                                THEN p_community."all" ELSE community_votes END
    } AS st
    FROM prev
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM filled
    WINDOW s AS (PARTITION BY tool_slug, url, position ORDER BY observed_at, payload_digest, capture_id)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug, url, position
                                ORDER BY observed_at, payload_digest, capture_id
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, url, position, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from,
           max(observed_at) AS last_seen_at,
           count(*)::INTEGER AS observations,
           arg_min(capture_id, (observed_at, payload_digest, capture_id)) AS first_capture_id,
           arg_max(capture_id, (observed_at, payload_digest, capture_id)) AS last_capture_id,
           arg_min(st, (observed_at, payload_digest, capture_id)) AS st,
           arg_min(source, (observed_at, payload_digest, capture_id)) AS source,
           arg_max(source, (observed_at, payload_digest, capture_id)) AS last_source
    FROM runs
    GROUP BY tool_slug, url, position, state_no
)
SELECT tool_slug, url, position, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug, url, position ORDER BY state_no) AS valid_to,
       last_seen_at, observations, first_capture_id, last_capture_id,
       st.name, st.category, st.tagline, st.badge, st.panel_ship_pct, st.community_pct,
       st.entry, st.description, st.panel_verdict, st.ship_votes, st.skip_votes, st.pricing,
       st.best_for, st.community_ship_votes, st.community_votes, source, last_source
FROM states;

-- tool_state_live: one row per state of one tool card on one page, over every capture:
-- tool_state_of(false), documented above (columns and rules).
CREATE OR REPLACE VIEW internal.tool_state_live AS
SELECT * FROM internal.tool_state_of(false);

-- review_state_live: one row per state of one review on one page (series key: tool_slug,
-- url, tool_position, persona), from the `reviews` view (015_reviews.sql: compact pages'
-- scores are the ones matched from scored pages; score_source says which). Reviews with no
-- slug or no persona (neither shown nor inferred/matched) are left out.
--   tool_slug, url, tool_position, persona   the series
--   state_no, valid_from, valid_to, last_seen_at, observations, first_capture_id,
--   last_capture_id   as in tool_state_live
--   score, verdict    out of 100 / 'ship' or 'skip'; NULL when no page showed a score for
--                     this text (a compact page whose quote matched no scored page)
--   quote             the review text
--   score_source      of the first capture in the state: 'page', 'matched' or NULL
--   last_score_source of the last capture in the state (the "before" of a change)
--   source, last_source   the sources of the first and the last capture in the state
-- review_state_of(scoped): the same for the pages in internal.pending_url (scoped true).
CREATE OR REPLACE MACRO internal.review_state_of(scoped) AS TABLE
WITH obs AS (  -- the rows of `reviews` (the fill joined as there), of a page in scope
    SELECT r.tool_slug, c.url, r.tool_position, coalesce(r.persona, f.persona) AS persona,
           r.observed_at, r.capture_id, c.payload_digest, r.ordinal, c.source,
           CASE WHEN r.score IS NOT NULL THEN 'page'
                WHEN f.score IS NOT NULL THEN 'matched' END AS score_source,
           {'score': coalesce(r.score, f.score), 'verdict': coalesce(r.verdict, f.verdict),
            'quote': r.quote} AS st
    FROM internal.review_observation r
    JOIN internal.capture c USING (capture_id)
    LEFT JOIN internal.review_fill f
        ON f.capture_id = r.capture_id AND f.ordinal = r.ordinal AND r.score IS NULL
    WHERE r.tool_slug IS NOT NULL AND c.url IS NOT NULL
      AND coalesce(r.persona, f.persona) IS NOT NULL
      AND (NOT scoped OR c.url IN (SELECT url FROM internal.pending_url))
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM obs
    WINDOW s AS (PARTITION BY tool_slug, url, tool_position, persona
                 ORDER BY observed_at, payload_digest, capture_id, ordinal)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug, url, tool_position, persona
                                ORDER BY observed_at, payload_digest, capture_id, ordinal
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, url, tool_position, persona, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from,
           max(observed_at) AS last_seen_at,
           count(DISTINCT capture_id)::INTEGER AS observations,
           arg_min(capture_id, (observed_at, payload_digest, capture_id, ordinal)) AS first_capture_id,
           arg_max(capture_id, (observed_at, payload_digest, capture_id, ordinal)) AS last_capture_id,
           arg_min(st, (observed_at, payload_digest, capture_id, ordinal)) AS st,
           arg_min(score_source, (observed_at, payload_digest, capture_id, ordinal)) AS score_source,
           arg_max(score_source, (observed_at, payload_digest, capture_id, ordinal))
               AS last_score_source,
           arg_min(source, (observed_at, payload_digest, capture_id, ordinal)) AS source,
           arg_max(source, (observed_at, payload_digest, capture_id, ordinal)) AS last_source
    FROM runs
    GROUP BY tool_slug, url, tool_position, persona, state_no
)
SELECT tool_slug, url, tool_position, persona, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug, url, tool_position, persona
                              ORDER BY state_no) AS valid_to,
       last_seen_at, observations, first_capture_id, last_capture_id,
       st.score, st.verdict, st.quote, score_source, last_score_source, source, last_source
FROM states;

-- review_state_live: one row per state of one review on one page, over every capture:
-- review_state_of(false), documented above.
CREATE OR REPLACE VIEW internal.review_state_live AS
SELECT * FROM internal.review_state_of(false);


-- The materialised histories (same columns as the *_live views; rebuilt by
-- refresh_history, in this order: trend_state below reads these two). Empty until the
-- first refresh.
CREATE TABLE IF NOT EXISTS internal.tool_state AS
SELECT * FROM internal.tool_state_live WITH NO DATA;
CREATE TABLE IF NOT EXISTS internal.review_state AS
SELECT * FROM internal.review_state_live WITH NO DATA;
-- Columns added after the first release (a warehouse made before gets them NULL here; its
-- fingerprint changed with this file, so its next refresh rebuilds every derived table).
ALTER TABLE internal.tool_state ADD COLUMN IF NOT EXISTS source VARCHAR;
ALTER TABLE internal.tool_state ADD COLUMN IF NOT EXISTS last_source VARCHAR;
ALTER TABLE internal.review_state ADD COLUMN IF NOT EXISTS source VARCHAR;
ALTER TABLE internal.review_state ADD COLUMN IF NOT EXISTS last_source VARCHAR;

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
-- trend_state_of(scoped): the same for the tools in internal.pending_slug, reading page
-- life for internal.pending_life_url (scoped true: an incremental refresh fills both).
-- (Evaluated per page change, not per moment x page: a page's contribution changes only
-- at its own states and life events, so it is spread over the moments it covers.)
CREATE OR REPLACE MACRO internal.trend_state_of(scoped) AS TABLE
WITH series AS (
    SELECT * FROM internal.trend_series_of(scoped)
),
life AS (
    SELECT * FROM internal.page_life_of(scoped)
),
keys AS (
    SELECT DISTINCT kind, slug, persona, url, pos FROM series
),
changes AS (  -- the moments at which one page's contribution may change: its states, its life
    SELECT DISTINCT * FROM (
        SELECT kind, slug, persona, url, pos, valid_from AS moment FROM series
        UNION ALL
        SELECT k.*, l.live_from FROM keys k JOIN life l USING (url)
        UNION ALL
        SELECT k.*, l.live_to FROM keys k JOIN life l USING (url)
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
        ON l.url = c.url AND c.moment >= l.live_from
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
started AS (  -- from the first moment a page counts
    SELECT *, {'verdict': verdict, 'value': value, 'pages': pages, 'value_min': value_min,
               'value_max': value_max, 'inferred_pages': inferred_pages,
               'category': category} AS fig
    FROM (SELECT *, max(pages) OVER (PARTITION BY kind, slug, persona ORDER BY moment
                                     ROWS UNBOUNDED PRECEDING) AS seen
          FROM agg)
    WHERE seen > 0
),
flagged AS (
    SELECT *, (fig IS DISTINCT FROM lag(fig) OVER (PARTITION BY kind, slug, persona
                                                   ORDER BY moment))::INTEGER AS is_new
    FROM started
),
states AS (
    SELECT * FROM flagged WHERE is_new = 1
)
SELECT kind, slug, persona,
       (row_number() OVER k)::INTEGER AS state_no,
       moment AS valid_from,
       lead(moment) OVER k AS valid_to,
       verdict, value, pages, value_min, value_max, inferred_pages, category,
       cause, cause_url, cause_pages, cause_source
FROM states
WINDOW k AS (PARTITION BY kind, slug, persona ORDER BY moment);

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
