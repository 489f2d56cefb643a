-- Analyst views: stable names, one question each, in the default schema (the helpers they
-- use are in `internal`). They read the histories materialised by refresh_history
-- (040_history.sql, 045_trend.sql), the vendors (030_vendor.sql) and the category mapping.
-- Idempotent (CREATE OR REPLACE). Times are TIMESTAMPTZ in UTC; periods are UTC dates.
-- Every view's comment below has a `Columns:` list: warehouse.db turns it into COMMENT ON
-- VIEW / COLUMN, so DuckDB tools (the CLI, DBeaver, BI tools) show the same documentation.
-- This file holds the row-level views (trends, histories, changes, head to head); the
-- per-period aggregates and their helpers are in 055_period_views.sql (with the definition
-- of periods).
--
-- Definitions used throughout (here and in 055_period_views.sql):
-- * A tool's figure at a moment comes from all its live pages (the rule is spelled out
--   over tool_trend): the majority verdict, the median panel ship %, and the number of
--   pages with their min and max. A tool "ships" when that majority verdict is 'Ship'.
-- * A page's verdict for a tool is the site's badge rule on its panel ship %: above 50
--   'Ship', 50 'Mixed', below 'Skip' (the % is on every layout; compact pages show no badge).
-- * Tool-keyed views leave out captures without a URL (text imports have no slug).
-- * Sources: captures come from the nightly crawl ('crawl'), `verdicts import` ('import') or
--   web-archive backfills ('wayback', 'commoncrawl': observed_at is the archive's capture
--   time, often before the first crawl). Histories and trends merge every source in time
--   order; each row-level view has a `source` column (the source of the capture behind the
--   row, see each view) to filter by. The per-period aggregates (ship_rate_by_vendor,
--   category_trends, persona_leniency) count tools across all sources and have none.
-- * Ties are never broken by a hash (of a URL or a capture id): the same pages crawled twice
--   give the same rows, whatever host, port or fetch order.
-- * Means and standard deviations are taken over exact sums (DECIMAL), never accumulated in
--   floating point, whose last bits depend on the order rows arrive in: the same data gives
--   the same bits, so two warehouses can be compared row for row.

-- tool_names (helper): one row per tool slug with its display name: the name on its most
-- recently observed card (ties: the greater url, then position).
CREATE OR REPLACE VIEW internal.tool_names AS
SELECT tool_slug AS slug, arg_max(name, (last_seen_at, url, position)) AS name
FROM internal.tool_state
WHERE name IS NOT NULL
GROUP BY tool_slug;

-- tool_trend: one row per tool and state of its panel figure across all its live pages.
-- The rule: a page is live from its first capture until it is gone (a crawl found it
-- 404/410, or out of the sitemap and failing). At any moment, each live page showing the
-- tool contributes its latest card (the latest known panel ship %); the tool's figure is
-- the majority verdict of those pages ('split' when the most common verdicts tie), their
-- median ship %, their number, min and max (so that pages that disagree stay visible),
-- and their majority canonical category. A new row starts whenever that figure changes;
-- a row with pages 0 means every page of the tool is gone.
--
-- Columns:
--   slug            the tool
--   name            its display name (see tool_names)
--   vendor          its canonical vendor (NULL: unknown)
--   state_no        1, 2, … in time order
--   valid_from      when this figure began (the moment of its cause)
--   valid_to        when the next figure began; NULL = current
--   panel_verdict   majority of the pages' verdicts: 'Ship', 'Mixed', 'Skip', or 'split'
--                   on a tie; NULL when no page is live
--   ship_pct        median panel ship % of the live pages (0-100; may be a half)
--   pages           live pages counted
--   ship_pct_min    lowest panel ship % among them
--   ship_pct_max    highest panel ship % among them
--   category        majority canonical category on those pages (a tie: the first by name)
--   cause           what happened at valid_from: 'page_added' (a page began to count),
--                   'page_changed' (a page's ship % or category changed) or 'page_gone'
--   cause_url       the page behind the cause (the first by URL when several changed at
--                   that moment)
--   cause_pages     number of pages that changed at that moment
--   source          the source of the capture behind the cause (at cause_url, the one
--                   that opened the page's state or live span); 'crawl' for 'page_gone'
CREATE OR REPLACE VIEW tool_trend AS
SELECT t.slug, n.name, v.vendor, t.state_no, t.valid_from, t.valid_to,
       t.verdict AS panel_verdict, t.value AS ship_pct, t.pages,
       t.value_min AS ship_pct_min, t.value_max AS ship_pct_max, t.category,
       t.cause, t.cause_url, t.cause_pages, t.cause_source AS source
FROM internal.trend_state t
LEFT JOIN internal.tool_names n ON n.slug = t.slug
LEFT JOIN internal.tool_vendor v ON v.slug = t.slug
WHERE t.kind = 'panel';

-- review_trend: one row per (tool, critic) and state of that critic's review of the tool
-- across all the tool's live pages: the same rule as tool_trend, per persona. Scores that
-- a compact page did not show count with the score matched from the same review on
-- another page (`reviews`); inferred_pages says how many.
--
-- Columns:
--   slug            the tool
--   persona         the critic ('Builder', 'Skeptic', 'Futurist', 'Founder', …)
--   state_no        1, 2, … in time order
--   valid_from      when this figure began
--   valid_to        when the next began; NULL = current
--   verdict         majority of the pages' verdicts: 'ship', 'skip', or 'split' on a tie
--   score           median score out of 100 of the live pages' reviews
--   pages           live pages counted
--   score_min       lowest score among them
--   score_max       highest score among them
--   inferred_pages  of those, pages whose score was matched from another page
--   cause           'page_added', 'page_changed' or 'page_gone' (as in tool_trend)
--   cause_url       the page behind it (the first by URL when several)
--   cause_pages     number of pages that changed at that moment
--   source          the source of the capture behind the cause (as in tool_trend)
CREATE OR REPLACE VIEW review_trend AS
SELECT slug, persona, state_no, valid_from, valid_to, verdict, value AS score, pages,
       value_min AS score_min, value_max AS score_max, inferred_pages,
       cause, cause_url, cause_pages, cause_source AS source
FROM internal.trend_state
WHERE kind = 'review';

-- latest_tool_verdicts: one row per tool: its current figure across all its live pages
-- (the current tool_trend row; see the rule there), with its vendor.
--
-- Columns:
--   tool_slug           the tool
--   name                its display name (see tool_names)
--   vendor              canonical vendor; NULL = unknown (never guessed)
--   vendor_source       'override', 'slug', 'description' or 'name' (see tool_vendor)
--   category            majority canonical category on its live pages
--   panel_verdict       majority verdict of its live pages ('Ship'/'Mixed'/'Skip'/'split')
--   panel_ship_pct      median panel ship % of its live pages
--   ships               panel_verdict = 'Ship'
--   pages               live pages counted (0: every page of the tool is gone)
--   pages_ship_pct_min  lowest panel ship % among them
--   pages_ship_pct_max  highest panel ship % among them
--   state_since         when this figure began
--   cause               what started it: 'page_added', 'page_changed' or 'page_gone'
--   cause_url           the page behind it
--   observed_at         the latest capture of any page showing the tool
--   source              the source of the capture behind the cause (see tool_trend)
CREATE OR REPLACE VIEW latest_tool_verdicts AS
SELECT t.slug AS tool_slug, t.name, t.vendor, v.vendor_source, t.category,
       t.panel_verdict, t.ship_pct AS panel_ship_pct,
       coalesce(t.panel_verdict = 'Ship', false) AS ships,
       t.pages, t.ship_pct_min AS pages_ship_pct_min, t.ship_pct_max AS pages_ship_pct_max,
       t.valid_from AS state_since, t.cause, t.cause_url, s.observed_at, t.source
FROM tool_trend t
LEFT JOIN internal.tool_vendor v ON v.slug = t.slug
LEFT JOIN (SELECT tool_slug, max(last_seen_at) AS observed_at FROM internal.tool_state
           GROUP BY tool_slug) s ON s.tool_slug = t.slug
WHERE t.valid_to IS NULL;

-- tool_history: one row per state of one tool card on one page (SCD2; see tool_state_live
-- in 040_history.sql for the rules), with the tool's vendor.
--
-- Columns:
--   tool_slug            the tool
--   url                  the comparison page
--   position             1 = left card, 2 = right card
--   state_no             1, 2, … in time order within (tool_slug, url, position)
--   valid_from           first capture showing this state
--   valid_to             first capture showing the next state; NULL = current
--   is_current           valid_to IS NULL
--   last_seen_at         last capture showing this state
--   observations         captures showing this state
--   first_capture_id     the capture at valid_from
--   last_capture_id      the capture at last_seen_at
--   vendor               the tool's canonical vendor (NULL: unknown)
--   name                 the card's name
--   category             the card's category, as the page shows it
--   canonical_category   that category mapped by warehouse/categories.csv
--   tagline              the card's tagline
--   badge                'Ship' / 'Mixed' / 'Skip' (full layout; NULL if not shown)
--   panel_verdict        the Decision table's verdict (full layout; NULL if not shown)
--   panel_ship_pct       share of the panel voting ship, 0-100
--   ship_votes           panel ship votes (Decision table)
--   skip_votes           panel skip votes (Decision table)
--   community_pct        community ship %; NULL for no community votes
--   entry                the site's 'Free' / 'Paid' label
--   pricing              free text (Decision table)
--   best_for             free text (Decision table)
--   description          the card's description
--   community_ship_votes  community ship votes S (Decision table 'NN% Ship (S / N)'); NULL
--                         if not shown or not known for sure
--   community_votes       all community votes N; NULL if not shown or not known for sure
--   source               the source of the capture at valid_from (the one that opened
--                        the state): 'crawl', 'import', 'wayback' or 'commoncrawl'
CREATE OR REPLACE VIEW tool_history AS
SELECT s.tool_slug, s.url, s.position, s.state_no, s.valid_from, s.valid_to,
       s.valid_to IS NULL AS is_current, s.last_seen_at, s.observations,
       s.first_capture_id, s.last_capture_id, v.vendor,
       s.name, s.category, coalesce(m.canonical, trim(s.category)) AS canonical_category,
       s.tagline, s.badge, s.panel_verdict, s.panel_ship_pct,
       s.ship_votes, s.skip_votes, s.community_pct, s.entry, s.pricing, s.best_for,
       s.description, s.community_ship_votes, s.community_votes, s.source
FROM internal.tool_state s
LEFT JOIN internal.tool_vendor v ON v.slug = s.tool_slug
LEFT JOIN internal.category_map m ON m.category = trim(s.category);

-- review_history: one row per state of one persona's review of one tool on one page (SCD2;
-- see review_state_live in 040_history.sql).
--
-- Columns:
--   tool_slug         the tool
--   url               the comparison page
--   tool_position     1 = left tool, 2 = right tool
--   persona           the critic
--   state_no          1, 2, … in time order within the series
--   valid_from        first capture showing this state
--   valid_to          first capture showing the next state; NULL = current
--   is_current        valid_to IS NULL
--   last_seen_at      last capture showing this state
--   observations      captures showing this state
--   first_capture_id  the capture at valid_from
--   last_capture_id   the capture at last_seen_at
--   score             out of 100; NULL when no page showed a score for this text
--   verdict           'ship' or 'skip'
--   quote             the review text
--   score_source      of the state's first capture: 'page', 'matched' (inferred from the
--                     same review on another page) or NULL
--   source            the source of the capture at valid_from (the one that opened the
--                     state): 'crawl', 'import', 'wayback' or 'commoncrawl'
CREATE OR REPLACE VIEW review_history AS
SELECT tool_slug, url, tool_position, persona, state_no, valid_from, valid_to,
       valid_to IS NULL AS is_current, last_seen_at, observations,
       first_capture_id, last_capture_id, score, verdict, quote, score_source, source
FROM internal.review_state;

-- verdict_changes_of(urls) (helper): the rows of verdict_changes below of the pages in
-- `urls` (a VARCHAR[]; NULL: every page). Each window is partitioned by page, so the
-- rows of a page do not depend on other pages: a night's summary reads its own pages'
-- histories only (sql/queries/crawl_verdict_changes.sql), not every page's. The pages
-- are matched with `url IN (SELECT unnest(urls))`, a hash join: `list_contains(urls, url)`
-- was planned as a nested loop of every row against the list (54 s for a 3,000-page night).
CREATE OR REPLACE MACRO internal.verdict_changes_of(urls) AS TABLE
WITH panel AS (
    SELECT 'panel' AS kind, tool_slug, NULL::VARCHAR AS persona, url, position,
           valid_from, first_capture_id,
           lag(last_seen_at) OVER w AS previous_observed_at,
           lag(last_capture_id) OVER w AS previous_capture_id,
           internal.badge(lag(panel_ship_pct) OVER w) AS verdict_before,
           internal.badge(panel_ship_pct) AS verdict_after,
           lag(panel_ship_pct) OVER w AS score_before, panel_ship_pct AS score_after,
           'observed' AS basis, source
    FROM internal.tool_state
    WHERE urls IS NULL OR url IN (SELECT unnest(urls))
    WINDOW w AS (PARTITION BY tool_slug, url, position ORDER BY state_no)
),
review AS (
    SELECT 'review' AS kind, tool_slug, persona, url, tool_position AS position,
           valid_from, first_capture_id,
           lag(last_seen_at) OVER w AS previous_observed_at,
           lag(last_capture_id) OVER w AS previous_capture_id,
           lag(verdict) OVER w AS verdict_before, verdict AS verdict_after,
           lag(score) OVER w AS score_before, score AS score_after,
           CASE WHEN score_source = 'page' AND lag(last_score_source) OVER w = 'page'
                THEN 'observed' ELSE 'inferred' END AS basis, source
    FROM internal.review_state
    WHERE urls IS NULL OR url IN (SELECT unnest(urls))
    WINDOW w AS (PARTITION BY tool_slug, url, tool_position, persona ORDER BY state_no)
),
changes AS (
    SELECT * FROM panel
    UNION ALL
    SELECT * FROM review
),
seq AS (  -- each capture of a URL and the one before it (ties in time: by content digest)
    SELECT capture_id,
           lag(capture_id) OVER (PARTITION BY url ORDER BY observed_at, payload_digest)
               AS prev_id
    FROM internal.capture
    WHERE url IS NOT NULL AND parse_status <> 'error'
      AND (urls IS NULL OR url IN (SELECT unnest(urls)))
)
SELECT c.kind, c.tool_slug, n.name, v.vendor, c.persona, c.url,
       c.position AS tool_position,
       c.valid_from AS observed_at, c.previous_observed_at,
       c.verdict_before, c.verdict_after, c.score_before, c.score_after,
       coalesce(c.verdict_after <> c.verdict_before, false) AS verdict_changed,
       c.score_after <> c.score_before AS score_changed,
       c.basis, c.first_capture_id AS capture_id, c.previous_capture_id, c.source
FROM changes c
JOIN seq q ON q.capture_id = c.first_capture_id AND q.prev_id = c.previous_capture_id
LEFT JOIN internal.tool_names n ON n.slug = c.tool_slug
LEFT JOIN internal.tool_vendor v ON v.slug = c.tool_slug
WHERE c.score_before IS NOT NULL AND c.score_after IS NOT NULL
  AND (c.score_after <> c.score_before
       OR coalesce(c.verdict_after <> c.verdict_before, false));

-- verdict_changes: one row per change observed within one page: the same URL, the same
-- card (and persona), and two consecutive captures of that URL (parse errors aside) that
-- both carry the value. Pages that disagree with each other are never a change, and no
-- change is claimed across a capture that did not carry the value (a compact page whose
-- score matched nowhere, a capture cut short): the chain is broken there. A panel change is a change
-- of the card's panel ship % (the verdict follows by the badge rule); a review change is a
-- change of a critic's score or verdict. The nightly crawl summary lists the rows of its
-- own captures (sql/queries/crawl_verdict_changes.sql): one rule, one place.
--
-- Columns:
--   kind                  'panel' (the whole panel: persona NULL) or 'review' (one persona)
--   tool_slug             the tool
--   name                  its display name (see tool_names)
--   vendor                its canonical vendor
--   persona               the critic (reviews); NULL for panel changes
--   url                   the page
--   tool_position         1 = left card, 2 = right card
--   observed_at           the capture that first showed the new value
--   previous_observed_at  the capture before it, which showed the old value
--   verdict_before        panel: 'Ship'/'Mixed'/'Skip' (badge rule); review: 'ship'/'skip'
--   verdict_after         the same, after
--   score_before          panel: panel ship %; review: score out of 100
--   score_after           the same, after
--   verdict_changed       the verdict differs
--   score_changed         the score differs
--   basis                 'observed' when both captures showed the value on the page;
--                         'inferred' when either score was matched from another page (a
--                         compact page, see `reviews`)
--   capture_id            the capture at observed_at
--   previous_capture_id   the capture at previous_observed_at
--   source                the source of the capture at observed_at (the one that observed
--                         the change): 'crawl', 'import', 'wayback' or 'commoncrawl'
CREATE OR REPLACE VIEW verdict_changes AS
SELECT * FROM internal.verdict_changes_of(NULL::VARCHAR[]);

-- head_to_head: one row per compared pair of tools (URL order: a = left, b = right) with
-- both tools' current figures from the same page, from the pair's page observed last
-- (ties: the greater url).
--
-- Columns:
--   tool_a_slug        the left tool
--   tool_b_slug        the right tool
--   url                the page the figures come from
--   observed_at        that page's last capture
--   pages              pages comparing this pair
--   a_name             the left tool's name on the page
--   a_vendor           its canonical vendor
--   a_panel_ship_pct   its panel ship %
--   a_verdict          its panel verdict (Decision table, else badge)
--   a_ship_votes       its panel ship votes
--   a_skip_votes       its panel skip votes
--   b_name             the right tool's name on the page
--   b_vendor           its canonical vendor
--   b_panel_ship_pct   its panel ship %
--   b_verdict          its panel verdict
--   b_ship_votes       its panel ship votes
--   b_skip_votes       its panel skip votes
--   ship_pct_diff      a_panel_ship_pct - b_panel_ship_pct
--   leader             the slug with the higher panel ship %; NULL on a tie or unknown
--   source             the source of the page's capture at observed_at
CREATE OR REPLACE VIEW head_to_head AS
WITH cur AS (
    SELECT * FROM internal.tool_state WHERE valid_to IS NULL
),
pairs AS (
    SELECT a.tool_slug AS tool_a_slug, b.tool_slug AS tool_b_slug, a.url,
           greatest(a.last_seen_at, b.last_seen_at) AS observed_at,
           CASE WHEN a.last_seen_at >= b.last_seen_at THEN a.last_source
                ELSE b.last_source END AS source,
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
            WHEN r.b_panel_ship_pct > r.a_panel_ship_pct THEN r.tool_b_slug END AS leader,
       r.source
FROM ranked r
LEFT JOIN internal.tool_vendor va ON va.slug = r.tool_a_slug
LEFT JOIN internal.tool_vendor vb ON vb.slug = r.tool_b_slug
WHERE r.rk = 1;
