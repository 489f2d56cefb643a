-- Views over the core tables for analysts: captures with their parse counts, and reviews
-- with compact-layout scores filled in from full-layout pages. Idempotent (CREATE OR REPLACE).

-- captures: one row per capture (every column of `capture`), plus
--   tools_parsed   number of tool_observation rows parsed from it (0, 1 or 2)
--   reviews_parsed number of review_observation rows parsed from it
-- A capture with parse_status 'error' has both counts 0 and its reason in parse_error.
CREATE OR REPLACE VIEW captures AS
SELECT
    c.*,
    coalesce(t.n, 0)::INTEGER AS tools_parsed,
    coalesce(r.n, 0)::INTEGER AS reviews_parsed
FROM capture c
LEFT JOIN (SELECT capture_id, count(*) AS n FROM tool_observation GROUP BY capture_id) t
    USING (capture_id)
LEFT JOIN (SELECT capture_id, count(*) AS n FROM review_observation GROUP BY capture_id) r
    USING (capture_id);

-- reviews: one row per review shown in one capture (every review_observation row, once),
-- with what the page left out filled in where the same review was seen with a score.
-- Columns, in order: capture_id, ordinal, observed_at, tool_position, tool_slug,
-- tool_name, persona, persona_inferred, score, verdict, quote, score_source,
-- matched_capture_id, where
--   capture_id, ordinal, observed_at, tool_position, tool_slug, persona_inferred, quote
--                      are as in review_observation
--   tool_name          the reviewed tool's name on this page (tool_observation.name)
--   persona            as on the page, else (when NULL) the matched review's persona
--   score, verdict     as on the page, else the matched review's
--   score_source       'page'    the page showed the score;
--                      'matched' taken from the same review in another capture;
--                      NULL      none shown and none matched
--   matched_capture_id the capture the score came from ('matched' rows only)
-- "The same review" = the same quote text about the same tool: the same tool_slug, or,
-- when both captures lack slugs (no URL), the same tool name; never a review of the same
-- capture. A row without a score takes the one seen with a score in the capture observed
-- closest in time, because scores can change; on a tie, the earlier one (what was known
-- as of this capture); among captures observed at the same moment, the smaller
-- capture_id, then ordinal.
-- How (O(n log n), no join on every pair: about 0.6 s for 1 M reviews on 2 cores, where
-- the pairwise join took 47 s): each (tool, quote) that some page showed unscored gets an
-- integer id; per id and moment, the first scored row by (capture_id, ordinal); the
-- nearest moment strictly before and strictly after an unscored row come from two ASOF
-- joins, the same moment from an equi-join (skipping the row's own capture).
-- tests/test_history.py checks the result against a brute-force reading of the rule.
CREATE OR REPLACE VIEW reviews AS
WITH named AS (  -- rid: the row's rowid, to fetch the matched row back at the end
    SELECT r.rowid AS rid, r.*, t.name AS tool_name,
           CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key   -- NULL: no slug, no name: no match
    FROM review_observation r
    LEFT JOIN tool_observation t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
),
wanted AS (  -- the reviews that need a score, one id each
    SELECT tool_key, quote, (row_number() OVER ())::INTEGER AS kid
    FROM (SELECT DISTINCT tool_key, quote FROM named
          WHERE score IS NULL AND tool_key IS NOT NULL AND quote IS NOT NULL)
),
keyed AS (  -- every observation of those reviews, scored or not
    SELECT w.kid, n.observed_at, n.capture_id, n.ordinal, n.rid, n.score IS NULL AS unscored
    FROM named n
    JOIN wanted w USING (tool_key, quote)
),
moments AS (  -- per review and moment seen with a score: its first scored row
    SELECT kid, observed_at, min(capture_id) AS capture_id,
           arg_min(rid, (capture_id, ordinal)) AS rid
    FROM keyed
    WHERE NOT unscored
    GROUP BY kid, observed_at
),
near AS (  -- per unscored row: the nearest scored moment strictly before and after it
    SELECT u.rid, u.observed_at,
           p.observed_at AS prev_at, p.rid AS prev_rid,
           n.observed_at AS next_at, n.rid AS next_rid
    FROM (SELECT rid, kid, observed_at FROM keyed WHERE unscored) u
    ASOF LEFT JOIN (SELECT kid, observed_at, rid FROM moments) p
        ON p.kid = u.kid AND u.observed_at > p.observed_at
    ASOF LEFT JOIN (SELECT kid, observed_at, rid FROM moments) n
        ON n.kid = u.kid AND u.observed_at < n.observed_at
),
same_moment AS (  -- unscored rows whose review was seen scored at the very same moment
    SELECT u.rid, u.kid, u.observed_at, u.capture_id, m.capture_id AS first_capture_id,
           m.rid AS first_rid
    FROM keyed u
    JOIN moments m USING (kid, observed_at)
    WHERE u.unscored
),
seconds AS (  -- where that moment's first scored row is in the row's own capture: the
              -- first one in another capture (rare: same-capture duplicates)
    SELECT s.kid, s.observed_at, s.first_capture_id,
           arg_min(k.rid, (k.capture_id, k.ordinal)) AS rid
    FROM (SELECT DISTINCT kid, observed_at, first_capture_id FROM same_moment
          WHERE first_capture_id = capture_id) s
    JOIN keyed k
        ON k.kid = s.kid AND k.observed_at = s.observed_at
       AND k.capture_id <> s.first_capture_id
    WHERE NOT k.unscored
    GROUP BY ALL
),
picked AS (  -- the same moment (another capture) wins; else the closer side, a tie: before
    SELECT n.rid,
           coalesce(CASE WHEN s.first_capture_id <> s.capture_id THEN s.first_rid
                         ELSE o.rid END,
                    CASE WHEN n.next_at IS NOT NULL
                          AND (n.prev_at IS NULL
                               OR epoch_us(n.next_at) - epoch_us(n.observed_at)
                                  < epoch_us(n.observed_at) - epoch_us(n.prev_at))
                         THEN n.next_rid ELSE n.prev_rid END) AS matched_rid
    FROM near n
    LEFT JOIN same_moment s USING (rid)
    LEFT JOIN seconds o
        ON o.kid = s.kid AND o.observed_at = s.observed_at
       AND o.first_capture_id = s.first_capture_id
),
matched AS (
    SELECT p.rid, m.capture_id, m.persona, m.score, m.verdict
    FROM picked p
    JOIN review_observation m ON m.rowid = p.matched_rid
)
SELECT capture_id, ordinal, observed_at, tool_position, tool_slug, tool_name, persona,
       persona_inferred, score, verdict, quote, 'page' AS score_source,
       NULL::VARCHAR AS matched_capture_id
FROM named
WHERE score IS NOT NULL
UNION ALL
SELECT n.capture_id, n.ordinal, n.observed_at, n.tool_position, n.tool_slug, n.tool_name,
       coalesce(n.persona, m.persona), n.persona_inferred, m.score,
       coalesce(n.verdict, m.verdict), n.quote,
       CASE WHEN m.score IS NOT NULL THEN 'matched' END, m.capture_id
FROM named n
LEFT JOIN matched m USING (rid)
WHERE n.score IS NULL;
