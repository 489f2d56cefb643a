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
-- that the analyst views (050_views.sql, 055_period_views.sql) stay fast on tens of millions
-- of observations. Page life and the trends built on these histories: 045_trend.sql.
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
-- refresh_history, in this order: trend_state, in 045_trend.sql, reads these two). Empty
-- until the first refresh.
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
