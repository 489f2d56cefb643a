-- History (SCD2): the sequence of distinct states of every tool card and every review, as
-- the pages showed them over time. Idempotent.
--
-- Each `*_live` view derives a history from the observations alone (a pure function of the
-- observation set: loading or reparsing captures in any order gives the same rows; ties in
-- time are broken by url, then capture_id). The same-named tables without `_live` hold the
-- last materialisation of those views: warehouse.history.refresh_history(con) rebuilds them
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
--   tool_slug, url, position  the series: the tool, the comparison page, the card (1 left, 2 right)
--   state_no        1, 2, … in time order within the series
--   valid_from      observed_at of the first capture showing this state
--   valid_to        observed_at of the first capture showing the next state; NULL = current
--   last_seen_at    observed_at of the last capture showing this state
--   observations    number of captures showing this state
--   first_capture_id, last_capture_id   the captures at valid_from and last_seen_at
--   name … best_for  the card's values (see tool_observation), with the rules above
CREATE OR REPLACE VIEW tool_state_live AS
WITH obs AS (
    SELECT
        o.tool_slug, c.url, o.position, o.observed_at, o.capture_id,
        c.layout, c.parse_status = 'truncated' AS cut, coalesce(c.layout, '') <> 'full' AS compact,
        o.name, o.category, o.tagline, o.badge, o.panel_ship_pct, o.community_pct, o.entry,
        o.description, o.panel_verdict, o.ship_votes, o.skip_votes, o.pricing, o.best_for,
        CASE WHEN c.layout = 'full' AND o.panel_verdict IS NOT NULL THEN {
            'pct': o.panel_ship_pct, 'badge': o.badge, 'panel_verdict': o.panel_verdict,
            'ship_votes': o.ship_votes, 'skip_votes': o.skip_votes} END AS decision
    FROM tool_observation o
    JOIN capture c USING (capture_id)
    WHERE o.tool_slug IS NOT NULL AND c.url IS NOT NULL
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
        last_value(decision IGNORE NULLS) OVER w AS p_decision
    FROM obs
    WINDOW w AS (PARTITION BY tool_slug, url, position ORDER BY observed_at, capture_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
filled AS (
    SELECT tool_slug, url, position, observed_at, capture_id, {
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
        'best_for': CASE WHEN cut OR compact THEN coalesce(best_for, p_best_for) ELSE best_for END
    } AS st
    FROM prev
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM filled
    WINDOW s AS (PARTITION BY tool_slug, url, position ORDER BY observed_at, capture_id)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug, url, position
                                ORDER BY observed_at, capture_id
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, url, position, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from,
           max(observed_at) AS last_seen_at,
           count(*)::INTEGER AS observations,
           arg_min(capture_id, (observed_at, capture_id)) AS first_capture_id,
           arg_max(capture_id, (observed_at, capture_id)) AS last_capture_id,
           arg_min(st, (observed_at, capture_id)) AS st
    FROM runs
    GROUP BY tool_slug, url, position, state_no
)
SELECT tool_slug, url, position, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug, url, position ORDER BY state_no) AS valid_to,
       last_seen_at, observations, first_capture_id, last_capture_id,
       st.name, st.category, st.tagline, st.badge, st.panel_ship_pct, st.community_pct,
       st.entry, st.description, st.panel_verdict, st.ship_votes, st.skip_votes, st.pricing,
       st.best_for
FROM states;

-- review_fill_live (an ASOF twin of `reviews` for reviews with a slug) is gone: the
-- histories read `reviews` itself. Dropped from warehouses made before.
DROP VIEW IF EXISTS review_fill_live;

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
CREATE OR REPLACE VIEW review_state_live AS
WITH obs AS (
    SELECT r.tool_slug, c.url, r.tool_position, r.persona, r.observed_at, r.capture_id,
           r.ordinal, r.score_source,
           {'score': r.score, 'verdict': r.verdict, 'quote': r.quote} AS st
    FROM reviews r
    JOIN capture c USING (capture_id)
    WHERE r.tool_slug IS NOT NULL AND c.url IS NOT NULL AND r.persona IS NOT NULL
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM obs
    WINDOW s AS (PARTITION BY tool_slug, url, tool_position, persona
                 ORDER BY observed_at, capture_id, ordinal)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug, url, tool_position, persona
                                ORDER BY observed_at, capture_id, ordinal
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, url, tool_position, persona, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from,
           max(observed_at) AS last_seen_at,
           count(DISTINCT capture_id)::INTEGER AS observations,
           arg_min(capture_id, (observed_at, capture_id, ordinal)) AS first_capture_id,
           arg_max(capture_id, (observed_at, capture_id, ordinal)) AS last_capture_id,
           arg_min(st, (observed_at, capture_id, ordinal)) AS st,
           arg_min(score_source, (observed_at, capture_id, ordinal)) AS score_source
    FROM runs
    GROUP BY tool_slug, url, tool_position, persona, state_no
)
SELECT tool_slug, url, tool_position, persona, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug, url, tool_position, persona
                              ORDER BY state_no) AS valid_to,
       last_seen_at, observations, first_capture_id, last_capture_id,
       st.score, st.verdict, st.quote, score_source
FROM states;

-- tool_asof_live: one row per state of a tool's panel figures across all its pages, where
-- "the tool's figures at time t" are those of its latest observation at or before t (ties
-- in time: the greater url, then capture_id). Observations without a panel ship % (cut
-- short) are left out. Used for as-of questions (ship rates over time, category trends):
-- when pages disagree, the page observed last wins.
--   tool_slug, state_no, valid_from, valid_to, last_seen_at, observations   as above
--   panel_ship_pct, category   the figures
--   url                        the page of the state's first observation
CREATE OR REPLACE VIEW tool_asof_live AS
WITH obs AS (
    SELECT o.tool_slug, o.observed_at, c.url, o.capture_id, o.position,
           {'panel_ship_pct': o.panel_ship_pct, 'category': o.category} AS st
    FROM tool_observation o
    JOIN capture c USING (capture_id)
    WHERE o.tool_slug IS NOT NULL AND c.url IS NOT NULL AND o.panel_ship_pct IS NOT NULL
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM obs
    WINDOW s AS (PARTITION BY tool_slug ORDER BY observed_at, url, capture_id, position)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug
                                ORDER BY observed_at, url, capture_id, position
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from, max(observed_at) AS last_seen_at,
           count(*)::INTEGER AS observations,
           arg_min(url, (observed_at, url, capture_id, position)) AS url,
           arg_min(st, (observed_at, url, capture_id, position)) AS st
    FROM runs
    GROUP BY tool_slug, state_no
)
SELECT tool_slug, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug ORDER BY state_no) AS valid_to,
       last_seen_at, observations, st.panel_ship_pct, st.category, url
FROM states;

-- review_asof_live: the same for each (tool, persona) review across all pages: its score
-- and verdict as of its latest scored observation. Unscored observations are left out.
--   tool_slug, persona, state_no, valid_from, valid_to, last_seen_at, observations
--   score, verdict, url
CREATE OR REPLACE VIEW review_asof_live AS
WITH obs AS (
    SELECT r.tool_slug, r.persona, r.observed_at, c.url, r.capture_id, r.ordinal,
           {'score': r.score, 'verdict': r.verdict} AS st
    FROM reviews r
    JOIN capture c USING (capture_id)
    WHERE r.tool_slug IS NOT NULL AND c.url IS NOT NULL AND r.persona IS NOT NULL
      AND r.score IS NOT NULL
),
flagged AS (
    SELECT *, (st IS DISTINCT FROM lag(st) OVER s)::INTEGER AS is_new
    FROM obs
    WINDOW s AS (PARTITION BY tool_slug, persona ORDER BY observed_at, url, capture_id, ordinal)
),
runs AS (
    SELECT *, sum(is_new) OVER (PARTITION BY tool_slug, persona
                                ORDER BY observed_at, url, capture_id, ordinal
                                ROWS UNBOUNDED PRECEDING) AS state_no
    FROM flagged
),
states AS (
    SELECT tool_slug, persona, state_no::INTEGER AS state_no,
           min(observed_at) AS valid_from, max(observed_at) AS last_seen_at,
           count(*)::INTEGER AS observations,
           arg_min(url, (observed_at, url, capture_id, ordinal)) AS url,
           arg_min(st, (observed_at, url, capture_id, ordinal)) AS st
    FROM runs
    GROUP BY tool_slug, persona, state_no
)
SELECT tool_slug, persona, state_no, valid_from,
       lead(valid_from) OVER (PARTITION BY tool_slug, persona ORDER BY state_no) AS valid_to,
       last_seen_at, observations, st.score, st.verdict, url
FROM states;

-- The materialised histories (same columns as the *_live views; rebuilt by
-- refresh_history). Empty until the first refresh.
CREATE TABLE IF NOT EXISTS tool_state AS SELECT * FROM tool_state_live WITH NO DATA;
CREATE TABLE IF NOT EXISTS review_state AS SELECT * FROM review_state_live WITH NO DATA;
CREATE TABLE IF NOT EXISTS tool_asof AS SELECT * FROM tool_asof_live WITH NO DATA;
CREATE TABLE IF NOT EXISTS review_asof AS SELECT * FROM review_asof_live WITH NO DATA;

-- analytics_refresh: one row per refresh of the derived tables (vendors and histories).
--   refreshed_at  when it ran
--   signature     a digest of the observations and vendor files it was built from; when it
--                 differs from warehouse.history.signature(con), the derived tables are stale
--   seconds       how long it took
CREATE TABLE IF NOT EXISTS analytics_refresh (
    refreshed_at TIMESTAMPTZ NOT NULL,
    signature    VARCHAR NOT NULL,
    seconds      DOUBLE
);
