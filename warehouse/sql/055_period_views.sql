-- Analyst views per period: how many of each vendor's / category's tools ship and how
-- generous each critic is, period by period, in the default schema (the helpers behind them
-- are in `internal`). They read the materialised trend (internal.trend_state,
-- 045_trend.sql) and the vendors (030_vendor.sql). Idempotent (CREATE OR REPLACE). The
-- definitions at the top of 050_views.sql hold here too; as there, every view's comment has
-- a `Columns:` list that warehouse.db turns into COMMENT ON VIEW / COLUMN.
--
-- Definitions used here:
-- * Periods: granularity 'day', 'week' (ISO weeks, starting Monday) or 'month'; every period
--   from the first observation to the last. A per-period figure is taken "as of the end of
--   the period": each tool (review) counts once, with its figure at that moment. The last
--   period is still running: its figures are as of now.

-- analytics_periods (helper): one row per reporting period.
--   granularity   'day', 'week' or 'month'
--   period_start  first day of the period (DATE, UTC)
--   period_end    first day after the period (DATE, UTC)
--   as_of         the instant figures are taken at: period_end 00:00 UTC (exclusive)
CREATE OR REPLACE VIEW internal.analytics_periods AS
WITH bounds AS (
    SELECT timezone('UTC', (SELECT min(valid_from) FROM internal.trend_state)) AS lo,
           timezone('UTC', (SELECT max(observed_at) FROM internal.capture)) AS hi
),
grains(granularity, step) AS (
    VALUES ('day', INTERVAL 1 DAY), ('week', INTERVAL 7 DAY), ('month', INTERVAL 1 MONTH)
)
SELECT g.granularity,
       p.generate_series::DATE AS period_start,
       (p.generate_series + g.step)::DATE AS period_end,
       timezone('UTC', p.generate_series + g.step) AS as_of
FROM grains g, bounds b,
     generate_series(date_trunc(g.granularity, b.lo), greatest(b.lo, b.hi), g.step) p
WHERE b.lo IS NOT NULL;

-- exact_avg, exact_stddev_samp (helpers): avg and stddev_samp of a column whose values have
-- at most 3 decimals (scores and ship %: multiples of 0.5), from exact DECIMAL sums, so the
-- result does not depend on the order rows are read in (see 050_views.sql).
CREATE OR REPLACE MACRO internal.exact_avg(x) AS avg(x::DECIMAL(18, 3))::DOUBLE;

CREATE OR REPLACE MACRO internal.exact_stddev_samp(x) AS
    CASE WHEN count(x) > 1 THEN sqrt(greatest(0.0, (
        (count(x) * sum(x::DECIMAL(18, 3) * x::DECIMAL(18, 3))
         - sum(x::DECIMAL(18, 3)) * sum(x::DECIMAL(18, 3)))::DOUBLE
        / (count(x) * (count(x) - 1))))) END;

-- trend_periods (helper): one row per tool (kind 'panel') or (tool, critic) review (kind
-- 'review') per period, with its trend figure as of the end of the period; tools whose
-- pages are all gone by then are left out.
--   granularity, period_start, period_end, as_of   see analytics_periods
--   kind, slug, persona ('' for panel), verdict, value, pages, category, inferred_pages
CREATE OR REPLACE VIEW internal.trend_periods AS
SELECT p.granularity, p.period_start, p.period_end, p.as_of, s.kind, s.slug, s.persona,
       s.verdict, s.value, s.pages, s.category, s.inferred_pages
FROM internal.analytics_periods p
JOIN internal.trend_state s
  ON s.valid_from < p.as_of
 AND coalesce(s.valid_to, 'infinity'::TIMESTAMPTZ) >= p.as_of
WHERE s.pages > 0;

-- tool_rates_by_group (helper): the one aggregate behind ship_rate_by_vendor and
-- category_trends: one row per group of tools per period, a group being a vendor
-- (dimension 'vendor') or a canonical category (dimension 'category').
--   dimension, grp, granularity, period_start, period_end
--   tools, shipping, ship_rate, mean_ship_pct   see ship_rate_by_vendor
CREATE OR REPLACE VIEW internal.tool_rates_by_group AS
WITH tools AS (
    SELECT * FROM internal.trend_periods WHERE kind = 'panel'
),
grouped AS (
    SELECT 'vendor' AS dimension, v.vendor AS grp, t.*
    FROM tools t
    LEFT JOIN internal.tool_vendor v ON v.slug = t.slug
    UNION ALL
    SELECT 'category' AS dimension, t.category AS grp, t.*
    FROM tools t
)
SELECT dimension, grp, granularity, period_start, period_end,
       count(*)::INTEGER AS tools,
       count(*) FILTER (WHERE verdict = 'Ship')::INTEGER AS shipping,
       avg((verdict = 'Ship')::INTEGER) AS ship_rate,
       internal.exact_avg(value) AS mean_ship_pct
FROM grouped
GROUP BY dimension, grp, granularity, period_start, period_end;

-- ship_rate_by_vendor: one row per vendor per period: how many of its tools ship, as of the
-- end of the period, each tool counted once with its figure across all its live pages
-- (tool_trend).
--
-- Columns:
--   vendor          canonical vendor; NULL groups the tools whose vendor is unknown
--   granularity     'day', 'week' (ISO, from Monday) or 'month'
--   period_start    first day of the period (UTC)
--   period_end      first day after the period (UTC); figures are as of its 00:00 UTC
--   tools           tools with a live page at the end of the period
--   shipping        of those, tools whose majority verdict is 'Ship'
--   ship_rate       shipping / tools (0-1)
--   mean_ship_pct   mean of those tools' median panel ship %
CREATE OR REPLACE VIEW ship_rate_by_vendor AS
SELECT grp AS vendor, granularity, period_start, period_end,
       tools, shipping, ship_rate, mean_ship_pct
FROM internal.tool_rates_by_group
WHERE dimension = 'vendor';

-- category_trends: one row per canonical category per period (warehouse/categories.csv
-- maps the site's near-synonyms, e.g. 'AI/ML Models', to one name). A tool counts under its
-- majority canonical category across its live pages at the end of the period (tool_trend).
--
-- Columns:
--   category        canonical category
--   granularity     'day', 'week' (ISO, from Monday) or 'month'
--   period_start    first day of the period (UTC)
--   period_end      first day after the period (UTC); figures are as of its 00:00 UTC
--   tools           tools with a live page at the end of the period
--   shipping        of those, tools whose majority verdict is 'Ship'
--   ship_rate       shipping / tools (0-1)
--   mean_ship_pct   mean of those tools' median panel ship %
CREATE OR REPLACE VIEW category_trends AS
SELECT grp AS category, granularity, period_start, period_end,
       tools, shipping, ship_rate, mean_ship_pct
FROM internal.tool_rates_by_group
WHERE dimension = 'category';

-- review_trend_periods (helper): one row per (tool, persona) review per period, with its
-- review_trend figure as of the end of the period: the distribution behind
-- persona_leniency (warehouse.analytics.review_scores).
--   granularity, period_start, period_end, tool_slug, persona, score, verdict, pages,
--   inferred_pages
CREATE OR REPLACE VIEW internal.review_trend_periods AS
SELECT granularity, period_start, period_end, slug AS tool_slug, persona,
       value AS score, verdict, pages, inferred_pages
FROM internal.trend_periods
WHERE kind = 'review';

-- persona_leniency: one row per persona per period: how generous each critic is. Each
-- (tool, persona) review counts once, with its review_trend figure (median score and
-- majority verdict across the tool's live pages) as of the end of the period.
--
-- Columns:
--   persona         the critic
--   granularity     'day', 'week' (ISO, from Monday) or 'month'
--   period_start    first day of the period (UTC)
--   period_end      first day after the period (UTC); figures are as of its 00:00 UTC
--   reviews         (tool, persona) reviews with a live page at the end of the period
--   mean_score      mean of their scores out of 100
--   median_score    median of their scores
--   score_sd        standard deviation of their scores (NULL for fewer than 2)
--   ship_share      share of them whose majority verdict is 'ship' (0-1)
--   inferred        of them, reviews counted with a score matched from another page
CREATE OR REPLACE VIEW persona_leniency AS
SELECT persona, granularity, period_start, period_end,
       count(*)::INTEGER AS reviews,
       internal.exact_avg(score) AS mean_score,
       median(score) AS median_score,
       internal.exact_stddev_samp(score) AS score_sd,
       avg((verdict = 'ship')::INTEGER) AS ship_share,
       count(*) FILTER (WHERE inferred_pages > 0)::INTEGER AS inferred
FROM internal.review_trend_periods
GROUP BY ALL;
