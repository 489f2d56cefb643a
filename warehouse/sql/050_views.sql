-- Analyst views: stable names, one question each. They read the histories materialised by
-- refresh_history (040_history.sql) and the vendors from refresh_vendors (030_vendor.sql).
-- Idempotent (CREATE OR REPLACE). Times are TIMESTAMPTZ in UTC; periods are UTC dates.
--
-- Definitions used throughout:
-- * A tool "ships" when a majority of its panel votes ship: panel_ship_pct > 50. (The site's
--   badge: 100/75/67 % Ship, 50 % Mixed, 25 % Skip.) The percentage is on every layout,
--   so one rule serves full and compact pages alike.
-- * A review "ships" when its verdict is 'ship'.
-- * Tool-keyed views leave out captures without a URL (text imports have no slug).
-- * Periods: granularity 'day', 'week' (ISO weeks, starting Monday) or 'month'; every period
--   from the first observation to the last. A per-period figure is taken "as of the end of
--   the period": each tool (review) counts once, with its latest figures observed before
--   the period ended, whether or not it was re-observed during the period (the crawl skips
--   unchanged pages). The last period is still running: its figures are as of now.

-- analytics_periods: one row per reporting period.
--   granularity   'day', 'week' or 'month'
--   period_start  first day of the period (DATE, UTC)
--   period_end    first day after the period (DATE, UTC)
--   as_of         the instant figures are taken at: period_end 00:00 UTC (exclusive)
CREATE OR REPLACE VIEW analytics_periods AS
WITH bounds AS (
    SELECT timezone('UTC', min(lo)) AS lo, timezone('UTC', max(hi)) AS hi
    FROM (SELECT min(valid_from) AS lo, max(last_seen_at) AS hi FROM tool_asof
          UNION ALL
          SELECT min(valid_from), max(last_seen_at) FROM review_asof)
),
grains(granularity, step) AS (
    VALUES ('day', INTERVAL 1 DAY), ('week', INTERVAL 7 DAY), ('month', INTERVAL 1 MONTH)
)
SELECT g.granularity,
       p.generate_series::DATE AS period_start,
       (p.generate_series + g.step)::DATE AS period_end,
       timezone('UTC', p.generate_series + g.step) AS as_of
FROM grains g, bounds b,
     generate_series(date_trunc(g.granularity, b.lo), b.hi, g.step) p
WHERE b.lo IS NOT NULL;

-- latest_tool_verdicts: one row per tool (slug): its panel figures on the page where it
-- was observed last (ties: the greater url).
--   tool_slug, name, vendor, vendor_source, category, tagline
--   badge, panel_verdict      'Ship'/'Mixed'/'Skip' (full layout; NULL if not shown)
--   panel_ship_pct            share of the panel voting ship, 0-100
--   ships                     panel_ship_pct > 50
--   ship_votes, skip_votes, community_pct, entry, pricing
--   observed_at               last capture showing these figures
--   state_since               when that page first showed them
--   url, capture_id           the source page and capture
--   pages                     pages the tool has been seen on
--   pages_ship_pct_min/max    the range of panel ship % across those pages' current
--                             figures (they differ when pages disagree)
CREATE OR REPLACE VIEW latest_tool_verdicts AS
WITH cur AS (
    SELECT s.*,
           count(*) OVER t AS pages,
           min(panel_ship_pct) OVER t AS pages_ship_pct_min,
           max(panel_ship_pct) OVER t AS pages_ship_pct_max,
           row_number() OVER (PARTITION BY tool_slug
                              ORDER BY last_seen_at DESC, url DESC, position DESC) AS rk
    FROM tool_state s
    WHERE valid_to IS NULL
    WINDOW t AS (PARTITION BY tool_slug)
)
SELECT c.tool_slug, c.name, v.vendor, v.vendor_source, c.category, c.tagline,
       c.badge, c.panel_verdict, c.panel_ship_pct, c.panel_ship_pct > 50 AS ships,
       c.ship_votes, c.skip_votes, c.community_pct, c.entry, c.pricing,
       c.last_seen_at AS observed_at, c.valid_from AS state_since,
       c.url, c.last_capture_id AS capture_id,
       c.pages::INTEGER AS pages, c.pages_ship_pct_min, c.pages_ship_pct_max
FROM cur c
LEFT JOIN tool_vendor v ON v.slug = c.tool_slug
WHERE c.rk = 1;

-- tool_history: one row per state of one tool card on one page (SCD2; see tool_state_live
-- in 040_history.sql for the rules), with the tool's vendor.
--   tool_slug, url, position, state_no, valid_from, valid_to, is_current, last_seen_at,
--   observations, first_capture_id, last_capture_id, vendor, name, category, tagline, badge,
--   panel_verdict, panel_ship_pct, ship_votes, skip_votes, community_pct, entry, pricing,
--   best_for, description
CREATE OR REPLACE VIEW tool_history AS
SELECT s.tool_slug, s.url, s.position, s.state_no, s.valid_from, s.valid_to,
       s.valid_to IS NULL AS is_current, s.last_seen_at, s.observations,
       s.first_capture_id, s.last_capture_id, v.vendor,
       s.name, s.category, s.tagline, s.badge, s.panel_verdict, s.panel_ship_pct,
       s.ship_votes, s.skip_votes, s.community_pct, s.entry, s.pricing, s.best_for,
       s.description
FROM tool_state s
LEFT JOIN tool_vendor v ON v.slug = s.tool_slug;

-- review_history: one row per state of one persona's review of one tool on one page (SCD2;
-- see review_state_live in 040_history.sql).
--   tool_slug, url, tool_position, persona, state_no, valid_from, valid_to, is_current,
--   last_seen_at, observations, first_capture_id, last_capture_id,
--   score, verdict, quote, score_source ('page' | 'matched' | NULL)
CREATE OR REPLACE VIEW review_history AS
SELECT tool_slug, url, tool_position, persona, state_no, valid_from, valid_to,
       valid_to IS NULL AS is_current, last_seen_at, observations,
       first_capture_id, last_capture_id, score, verdict, quote, score_source
FROM review_state;

-- verdict_changes: one row per change of a verdict or score on one page, dated when the
-- new value was first observed. Changes are found within a series (same page, same card,
-- same persona), so two pages that disagree are not a change. "Before" is the last known
-- value in that series (a compact page that could not show a verdict is skipped over).
--   kind            'panel' (the whole panel: persona NULL) or 'review' (one persona)
--   tool_slug, name, vendor, persona, url
--   observed_at            when the new value was first observed
--   previous_observed_at   when the previous state was last observed
--   verdict_before, verdict_after   panel: panel_verdict, else badge ('Ship'/'Mixed'/'Skip');
--                                   review: 'ship'/'skip'
--   score_before, score_after       panel: panel_ship_pct; review: score out of 100
--   verdict_changed, score_changed  which of the two changed (both known and different)
CREATE OR REPLACE VIEW verdict_changes AS
WITH panel AS (
    SELECT tool_slug, url, state_no, valid_from, name,
           coalesce(panel_verdict, badge) AS verdict, panel_ship_pct AS score,
           last_value(coalesce(panel_verdict, badge) IGNORE NULLS) OVER w AS verdict_before,
           last_value(panel_ship_pct IGNORE NULLS) OVER w AS score_before,
           lag(last_seen_at) OVER (PARTITION BY tool_slug, url, position ORDER BY state_no)
               AS previous_observed_at
    FROM tool_state
    WINDOW w AS (PARTITION BY tool_slug, url, position ORDER BY state_no
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
review AS (
    SELECT tool_slug, url, persona, state_no, valid_from,
           verdict, score,
           last_value(verdict IGNORE NULLS) OVER w AS verdict_before,
           last_value(score IGNORE NULLS) OVER w AS score_before,
           lag(last_seen_at) OVER (PARTITION BY tool_slug, url, tool_position, persona
                                   ORDER BY state_no) AS previous_observed_at
    FROM review_state
    WINDOW w AS (PARTITION BY tool_slug, url, tool_position, persona ORDER BY state_no
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
names AS (
    SELECT tool_slug, name FROM latest_tool_verdicts
),
changes AS (
    SELECT 'panel' AS kind, tool_slug, NULL::VARCHAR AS persona, url, valid_from,
           previous_observed_at, verdict_before, verdict, score_before, score
    FROM panel
    UNION ALL
    SELECT 'review', tool_slug, persona, url, valid_from,
           previous_observed_at, verdict_before, verdict, score_before, score
    FROM review
)
SELECT c.kind, c.tool_slug, n.name, v.vendor, c.persona, c.url,
       c.valid_from AS observed_at, c.previous_observed_at,
       c.verdict_before, c.verdict AS verdict_after,
       c.score_before, c.score AS score_after,
       coalesce(c.verdict <> c.verdict_before, false) AS verdict_changed,
       coalesce(c.score <> c.score_before, false) AS score_changed
FROM changes c
LEFT JOIN names n USING (tool_slug)
LEFT JOIN tool_vendor v ON v.slug = c.tool_slug
WHERE coalesce(c.verdict <> c.verdict_before, false)
   OR coalesce(c.score <> c.score_before, false);

-- tool_asof_periods (helper): one row per tool per period in which it was known, with its
-- figures as of the end of the period (see tool_asof_live).
--   granularity, period_start, period_end, tool_slug, panel_ship_pct, ships, category
CREATE OR REPLACE VIEW tool_asof_periods AS
SELECT p.granularity, p.period_start, p.period_end, s.tool_slug, s.panel_ship_pct,
       s.panel_ship_pct > 50 AS ships, s.category
FROM analytics_periods p
JOIN tool_asof s
  ON s.valid_from < p.as_of
 AND coalesce(s.valid_to, 'infinity'::TIMESTAMPTZ) >= p.as_of;

-- tool_rates_by_group (helper): the one aggregate behind ship_rate_by_vendor and
-- category_trends: one row per group of tools per period, a group being a vendor
-- (dimension 'vendor') or a category (dimension 'category').
--   dimension, grp, granularity, period_start, period_end
--   tools, shipping, ship_rate, mean_ship_pct   see ship_rate_by_vendor
CREATE OR REPLACE VIEW tool_rates_by_group AS
WITH grouped AS (
    SELECT 'vendor' AS dimension, v.vendor AS grp, a.*
    FROM tool_asof_periods a
    LEFT JOIN tool_vendor v ON v.slug = a.tool_slug
    UNION ALL
    SELECT 'category' AS dimension, a.category AS grp, a.*
    FROM tool_asof_periods a
)
SELECT dimension, grp, granularity, period_start, period_end,
       count(*)::INTEGER AS tools,
       count(*) FILTER (WHERE ships)::INTEGER AS shipping,
       avg(ships::INTEGER) AS ship_rate,
       avg(panel_ship_pct) AS mean_ship_pct
FROM grouped
GROUP BY dimension, grp, granularity, period_start, period_end;

-- ship_rate_by_vendor: one row per vendor per period.
--   vendor          canonical vendor; NULL groups the tools whose vendor is unknown
--   granularity, period_start, period_end   see analytics_periods
--   tools           tools known by the end of the period
--   shipping        of those, tools that ship (panel_ship_pct > 50) as of the period's end
--   ship_rate       shipping / tools (0-1)
--   mean_ship_pct   mean panel ship % of those tools
CREATE OR REPLACE VIEW ship_rate_by_vendor AS
SELECT grp AS vendor, granularity, period_start, period_end,
       tools, shipping, ship_rate, mean_ship_pct
FROM tool_rates_by_group
WHERE dimension = 'vendor';

-- category_trends: one row per category per period (a tool counts under its category as
-- of the end of the period; pages can show different categories, the latest wins).
--   category, granularity, period_start, period_end
--   tools, shipping, ship_rate, mean_ship_pct   as in ship_rate_by_vendor
CREATE OR REPLACE VIEW category_trends AS
SELECT grp AS category, granularity, period_start, period_end,
       tools, shipping, ship_rate, mean_ship_pct
FROM tool_rates_by_group
WHERE dimension = 'category';

-- review_asof_periods: one row per (tool, persona) review per period in which it was
-- known, with its score and verdict as of the end of the period (see review_asof_live): the
-- distribution behind persona_leniency.
--   granularity, period_start, period_end, tool_slug, persona, score, verdict
CREATE OR REPLACE VIEW review_asof_periods AS
SELECT p.granularity, p.period_start, p.period_end, s.tool_slug, s.persona, s.score, s.verdict
FROM analytics_periods p
JOIN review_asof s
  ON s.valid_from < p.as_of
 AND coalesce(s.valid_to, 'infinity'::TIMESTAMPTZ) >= p.as_of;

-- persona_leniency: one row per persona per period: how generous each critic is. Each
-- (tool, persona) review counts once, with its latest score as of the end of the period
-- (see review_asof_live).
--   persona, granularity, period_start, period_end
--   reviews        reviews by this persona known by the end of the period
--   mean_score     mean score out of 100
--   median_score   median score
--   ship_share     share of those reviews whose verdict is 'ship' (0-1)
CREATE OR REPLACE VIEW persona_leniency AS
SELECT persona, granularity, period_start, period_end,
       count(*)::INTEGER AS reviews,
       avg(score) AS mean_score,
       median(score) AS median_score,
       avg((verdict = 'ship')::INTEGER) AS ship_share
FROM review_asof_periods
GROUP BY ALL;

-- head_to_head: one row per compared pair of tools (URL order: a = left, b = right) with
-- both tools' current figures from the same page, from the pair's page observed last.
--   tool_a_slug, tool_b_slug, url, observed_at (the page's last capture), pages (pages
--   comparing this pair), a_name, a_vendor, a_panel_ship_pct, a_verdict (panel_verdict,
--   else badge), a_ship_votes, a_skip_votes, and the same for b
--   ship_pct_diff   a_panel_ship_pct - b_panel_ship_pct
--   leader          the slug with the higher panel ship %; NULL on a tie or unknown
CREATE OR REPLACE VIEW head_to_head AS
WITH cur AS (
    SELECT * FROM tool_state WHERE valid_to IS NULL
),
pairs AS (
    SELECT a.tool_slug AS tool_a_slug, b.tool_slug AS tool_b_slug, a.url,
           greatest(a.last_seen_at, b.last_seen_at) AS observed_at,
           a.name AS a_name, a.panel_ship_pct AS a_panel_ship_pct,
           coalesce(a.panel_verdict, a.badge) AS a_verdict,
           a.ship_votes AS a_ship_votes, a.skip_votes AS a_skip_votes,
           b.name AS b_name, b.panel_ship_pct AS b_panel_ship_pct,
           coalesce(b.panel_verdict, b.badge) AS b_verdict,
           b.ship_votes AS b_ship_votes, b.skip_votes AS b_skip_votes
    FROM cur a
    JOIN cur b ON b.url = a.url AND a.position = 1 AND b.position = 2
),
ranked AS (
    SELECT *, count(*) OVER pair AS pages,
           row_number() OVER (PARTITION BY tool_a_slug, tool_b_slug
                              ORDER BY observed_at DESC, url DESC) AS rk
    FROM pairs
    WINDOW pair AS (PARTITION BY tool_a_slug, tool_b_slug)
)
SELECT r.tool_a_slug, r.tool_b_slug, r.url, r.observed_at, r.pages::INTEGER AS pages,
       r.a_name, va.vendor AS a_vendor, r.a_panel_ship_pct, r.a_verdict,
       r.a_ship_votes, r.a_skip_votes,
       r.b_name, vb.vendor AS b_vendor, r.b_panel_ship_pct, r.b_verdict,
       r.b_ship_votes, r.b_skip_votes,
       r.a_panel_ship_pct - r.b_panel_ship_pct AS ship_pct_diff,
       CASE WHEN r.a_panel_ship_pct > r.b_panel_ship_pct THEN r.tool_a_slug
            WHEN r.b_panel_ship_pct > r.a_panel_ship_pct THEN r.tool_b_slug END AS leader
FROM ranked r
LEFT JOIN tool_vendor va ON va.slug = r.tool_a_slug
LEFT JOIN tool_vendor vb ON vb.slug = r.tool_b_slug
WHERE r.rk = 1;
