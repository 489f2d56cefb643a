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
--   source          'crawl', 'import', 'wayback' or 'commoncrawl' (a web archive's backfill)
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

-- review_fill_of(scoped) (helper): one row per review observation without a score whose
-- text (tool key, quote) some page showed: the review it is matched to by the rule of
-- `reviews` below (matched_capture_id … verdict NULL when none). With scoped true, only the
-- texts named in internal.pending_review_key (what a refresh recomputes); with false, all.
--   capture_id, ordinal   the unscored review
--   matched_capture_id    the capture of the scored review it takes its score from
--   persona, score, verdict   that review's
-- How (O(n log n), no join on every pair): each (tool, quote) that some page showed
-- unscored gets an integer id; per id and moment, the first scored row by (url, payload
-- digest, ordinal); the nearest moment strictly before and strictly after an unscored row
-- come from two ASOF joins, the same moment from an equi-join (skipping the row's own
-- capture).
CREATE OR REPLACE MACRO internal.review_fill_of(scoped) AS TABLE
WITH named AS (  -- rid: the row's rowid, to fetch the matched row back at the end
    SELECT r.rowid AS rid, r.capture_id, r.ordinal, r.observed_at, r.persona, r.score,
           r.verdict, r.quote,
           CASE WHEN r.tool_slug IS NOT NULL THEN 's:' || r.tool_slug
                ELSE 'n:' || t.name END AS tool_key,  -- NULL: no slug, no name: no match
           (coalesce(c.url, ''), coalesce(c.payload_digest, ''), r.capture_id, r.ordinal) AS ord
    FROM internal.review_observation r
    LEFT JOIN internal.capture c USING (capture_id)
    LEFT JOIN internal.tool_observation t
        ON t.capture_id = r.capture_id AND t.position = r.tool_position
    WHERE NOT scoped OR r.quote IN (SELECT quote FROM internal.pending_review_key)
),
wanted AS (  -- the reviews that need a score, one id each
    SELECT tool_key, quote, (row_number() OVER ())::INTEGER AS kid
    FROM (SELECT DISTINCT tool_key, quote FROM named
          WHERE score IS NULL AND tool_key IS NOT NULL AND quote IS NOT NULL
            AND (NOT scoped OR (tool_key, quote) IN (
                SELECT (tool_key, quote) FROM internal.pending_review_key)))
),
keyed AS (  -- every observation of those reviews, scored or not
    SELECT w.kid, n.observed_at, n.capture_id, n.ordinal, n.ord, n.rid,
           n.score IS NULL AS unscored
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
)
SELECT u.capture_id, u.ordinal, m.capture_id AS matched_capture_id, m.persona, m.score,
       m.verdict
FROM keyed u
LEFT JOIN picked p USING (rid)
LEFT JOIN named m ON m.rid = p.matched_rid
WHERE u.unscored;

-- review_fill: one row per review observation without a score that was matched to a
-- scored one (review_fill_of), as of the last refresh: the compact-score fill `reviews`
-- reads. Rebuilt for the touched review texts by each refresh (warehouse.incremental).
--   capture_id, ordinal, matched_capture_id, persona, score, verdict   see review_fill_of
CREATE TABLE IF NOT EXISTS internal.review_fill (
    capture_id         VARCHAR NOT NULL,
    ordinal            SMALLINT NOT NULL,
    matched_capture_id VARCHAR NOT NULL,
    persona            VARCHAR,
    score              INTEGER,
    verdict            VARCHAR
);

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
-- against a brute-force reading of the rule. The fill is materialised (internal.review_fill,
-- kept current by each refresh for the review texts a load touched), so this view is a join.
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
--   source              the capture's source: 'crawl', 'import', 'wayback' or 'commoncrawl'
CREATE OR REPLACE VIEW reviews AS
SELECT r.capture_id, r.ordinal, r.observed_at, r.tool_position, r.tool_slug,
       t.name AS tool_name, coalesce(r.persona, f.persona) AS persona, r.persona_inferred,
       coalesce(r.score, f.score) AS score, coalesce(r.verdict, f.verdict) AS verdict,
       r.quote,
       CASE WHEN r.score IS NOT NULL THEN 'page'
            WHEN f.score IS NOT NULL THEN 'matched' END AS score_source,
       CASE WHEN r.score IS NULL THEN f.matched_capture_id END AS matched_capture_id,
       c.source
FROM internal.review_observation r
LEFT JOIN internal.capture c ON c.capture_id = r.capture_id
LEFT JOIN internal.tool_observation t
    ON t.capture_id = r.capture_id AND t.position = r.tool_position
LEFT JOIN internal.review_fill f
    ON f.capture_id = r.capture_id AND f.ordinal = r.ordinal AND r.score IS NULL;
