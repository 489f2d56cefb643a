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
-- with what the page left out filled in where the same review was seen with a score:
--   tool_name          the reviewed tool's name on this page (from tool_observation)
--   persona            as on the page, else (when NULL) the matched review's persona
--   score, verdict     as on the page, else the matched review's
--   score_source       'page'    the page showed the score;
--                      'matched' taken from the same review in another capture;
--                      NULL      no score anywhere
--   matched_capture_id the capture the score came from ('matched' rows only)
-- "The same review" = the same quote text about the same tool: the same tool_slug, or,
-- when both captures lack slugs (no URL), the same tool name. Of several matches the one
-- observed closest in time wins, because scores can change; on a tie, the earlier one
-- (what was known as of this capture).
CREATE OR REPLACE VIEW reviews AS
WITH named AS (
    SELECT r.*, t.name AS tool_name
    FROM review_observation r
    LEFT JOIN tool_observation t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
),
scored AS (
    SELECT * FROM named WHERE score IS NOT NULL AND quote IS NOT NULL
),
matches AS (
    SELECT
        u.capture_id,
        u.ordinal,
        s.capture_id AS matched_capture_id,
        s.persona AS matched_persona,
        s.score AS matched_score,
        s.verdict AS matched_verdict,
        row_number() OVER (
            PARTITION BY u.capture_id, u.ordinal
            ORDER BY abs(epoch(s.observed_at) - epoch(u.observed_at)),
                     s.observed_at, s.capture_id, s.ordinal
        ) AS match_rank
    FROM named u
    JOIN scored s
        ON s.quote = u.quote
       AND s.capture_id <> u.capture_id
       AND (s.tool_slug = u.tool_slug
            OR (s.tool_slug IS NULL AND u.tool_slug IS NULL AND s.tool_name = u.tool_name))
    WHERE u.score IS NULL
)
SELECT
    n.capture_id,
    n.ordinal,
    n.observed_at,
    n.tool_position,
    n.tool_slug,
    n.tool_name,
    coalesce(n.persona, m.matched_persona) AS persona,
    n.persona_inferred,
    coalesce(n.score, m.matched_score) AS score,
    CASE WHEN n.score IS NOT NULL THEN n.verdict
         ELSE coalesce(n.verdict, m.matched_verdict) END AS verdict,
    n.quote,
    CASE WHEN n.score IS NOT NULL THEN 'page'
         WHEN m.matched_score IS NOT NULL THEN 'matched' END AS score_source,
    m.matched_capture_id
FROM named n
LEFT JOIN matches m
    ON m.capture_id = n.capture_id AND m.ordinal = n.ordinal AND m.match_rank = 1;
