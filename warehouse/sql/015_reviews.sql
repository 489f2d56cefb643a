-- Views over the core tables for analysts: captures with their parse counts, and reviews
-- with compact-layout scores filled in from full-layout pages. Idempotent (CREATE OR REPLACE).

-- captures: one row per archived page payload at one moment (a crawl's HTTP 200 response,
-- or an imported file / WARC record), with how many tool cards and reviews were parsed
-- from it. A capture whose parse failed has both counts 0 and its reason in parse_error.
--
-- Columns:
--   capture_id      sha1(source URL | observed_at | payload_digest): the capture's id
--   url             page URL (source URL, else the page's canonical link); NULL if neither
--   observed_at     when the page was seen (the crawl night, WARC-Date, or --observed-at)
--   source          'crawl' or 'import'
--   source_ref      crawl run id, or the imported file's path
--   http_status     HTTP status of the response; NULL for captures never served over HTTP
--   content_type    'text/html' or 'text/plain' (a text rendering)
--   payload_digest  'sha1:<base32>' of the payload, as in WARC-Payload-Digest
--   payload_bytes   payload size in bytes
--   warc_path       WARC file holding the raw bytes, relative to the data directory
--   warc_offset     byte offset of the record in that file
--   warc_length     length of the (compressed) record
--   warc_record_id  WARC-Record-ID of the record
--   parser_version  version of the parser that made the rows
--   parse_status    'ok', 'truncated' (a partial page, whole values kept) or 'error'
--   parse_error     one line: why the parse failed; NULL unless parse_status is 'error'
--   layout          'full' or 'compact'
--   title           the visible 'A vs B'
--   loaded_at       when the row was written
--   tools_parsed    tool cards parsed from the capture (0, 1 or 2)
--   reviews_parsed  reviews parsed from the capture
CREATE OR REPLACE VIEW captures AS
SELECT
    c.*,
    coalesce(t.n, 0)::INTEGER AS tools_parsed,
    coalesce(r.n, 0)::INTEGER AS reviews_parsed
FROM internal.capture c
LEFT JOIN (SELECT capture_id, count(*) AS n FROM internal.tool_observation GROUP BY capture_id) t
    USING (capture_id)
LEFT JOIN (SELECT capture_id, count(*) AS n FROM internal.review_observation GROUP BY capture_id) r
    USING (capture_id);

-- reviews: one row per review shown in one capture (every review_observation row, once),
-- with what a compact page leaves out (persona names, scores, verdicts) filled in where the
-- same review was seen with a score on another capture: "the same review" = the same quote
-- text about the same tool (the same tool_slug, or, when both captures lack slugs, the
-- same tool name), never a review of the same capture. A row without a score takes the
-- one seen with a score in the capture observed closest in time, because scores change;
-- on a tie in time, the earlier one (what was known as of this capture); among captures
-- observed at the same moment, the first by URL, then payload digest, then page order (no
-- tie is broken by a hash of a URL, so the same pages give the same rows whatever the
-- host or port they were crawled from). tests/warehouse/test_history.py checks the result
-- against a brute-force reading of the rule.
--
-- Columns:
--   capture_id          the capture the review was shown in
--   ordinal             1-based order of the review on the page
--   observed_at         when the capture was made
--   tool_position       1 = left tool, 2 = right tool; NULL when the page does not say
--   tool_slug           the reviewed tool (NULL for captures without a URL)
--   tool_name           the reviewed tool's name on this page
--   persona             the critic, as on the page, else the matched review's
--   persona_inferred    true when the page showed no name and the persona follows from
--                       the order of the quotes (compact layout)
--   score               out of 100, as on the page, else the matched review's
--   verdict             'ship' or 'skip', as on the page, else the matched review's
--   quote               the review text without its curly quotes
--   score_source        'page' (the page showed the score), 'matched' (taken from the same
--                       review in another capture: inferred) or NULL (none shown, none matched)
--   matched_capture_id  the capture the score came from ('matched' rows only)
-- How (O(n log n), no join on every pair): each (tool, quote) that some page showed
-- unscored gets an integer id; per id and moment, the first scored row by (url, payload
-- digest, ordinal); the nearest moment strictly before and strictly after an unscored row
-- come from two ASOF joins, the same moment from an equi-join (skipping the row's own
-- capture).
CREATE OR REPLACE VIEW reviews AS
WITH named AS (  -- rid: the row's rowid, to fetch the matched row back at the end
    SELECT r.rowid AS rid, r.*, t.name AS tool_name,
           CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key,  -- NULL: no slug, no name: no match
           (coalesce(c.url, ''), coalesce(c.payload_digest, ''), r.capture_id, r.ordinal) AS ord
    FROM internal.review_observation r
    LEFT JOIN internal.capture c USING (capture_id)
    LEFT JOIN internal.tool_observation t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
),
wanted AS (  -- the reviews that need a score, one id each
    SELECT tool_key, quote, (row_number() OVER ())::INTEGER AS kid
    FROM (SELECT DISTINCT tool_key, quote FROM named
          WHERE score IS NULL AND tool_key IS NOT NULL AND quote IS NOT NULL)
),
keyed AS (  -- every observation of those reviews, scored or not
    SELECT w.kid, n.observed_at, n.capture_id, n.ord, n.rid, n.score IS NULL AS unscored
    FROM named n
    JOIN wanted w USING (tool_key, quote)
),
moments AS (  -- per review and moment seen with a score: its first scored row
    SELECT kid, observed_at, arg_min(capture_id, ord) AS capture_id,
           arg_min(rid, ord) AS rid
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
           arg_min(k.rid, k.ord) AS rid
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
    JOIN internal.review_observation m ON m.rowid = p.matched_rid
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
