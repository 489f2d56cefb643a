-- Core tables: what was captured, and the normalized rows parsed from each capture.
-- Every statement is idempotent: warehouse.connect() runs the sql/ files in name order.
-- Times are TIMESTAMPTZ in UTC. Free text is kept exactly as the page showed it.

-- capture: one row per archived page payload at one moment (a crawl's HTTP 200 response,
-- or an imported file / WARC record). A failed parse keeps its row, with the reason.
-- capture_id = sha1(source URL | observed_at | payload_digest) (warehouse.load.capture_id),
-- so importing the same capture again finds the same row and changes nothing. The source
-- URL is the one known before parsing (the crawl's URL, --url or WARC-Target-URI; '' when
-- none), so an archived record always maps back to its row; `url` below may instead hold
-- the page's own canonical URL when the source named none.
CREATE TABLE IF NOT EXISTS internal.capture (
    capture_id      VARCHAR PRIMARY KEY,
    url             VARCHAR,              -- page URL (source URL, else the page's canonical link); NULL if neither
    observed_at     TIMESTAMPTZ NOT NULL, -- when the page was seen (fetch time, WARC-Date, or --observed-at)
    source          VARCHAR NOT NULL,     -- 'crawl' or 'import'
    source_ref      VARCHAR,              -- crawl run id, or the imported file's path
    http_status     INTEGER,              -- NULL for captures that were never HTTP responses
    content_type    VARCHAR,              -- 'text/html' or 'text/plain' (a text rendering)
    payload_digest  VARCHAR NOT NULL,     -- 'sha1:<base32>', as in WARC-Payload-Digest
    payload_bytes   BIGINT NOT NULL,
    warc_path       VARCHAR,              -- WARC file holding the raw bytes, relative to the data dir
    warc_offset     BIGINT,               -- byte offset of the record in that file
    warc_length     BIGINT,               -- length of the (compressed) record
    warc_record_id  VARCHAR,              -- WARC-Record-ID of the record
    parser_version  VARCHAR NOT NULL,
    parse_status    VARCHAR NOT NULL,     -- 'ok', 'truncated' (partial page, whole values kept) or 'error'
    parse_error     VARCHAR,              -- one line: why the parse failed; NULL unless 'error'
    layout          VARCHAR,              -- 'full' or 'compact'
    title           VARCHAR,              -- the visible 'A vs B'
    loaded_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- tool: one row per tool. A tool's identity is its slug (from the comparison URL);
-- display names are not ids (one name can belong to several slugs).
CREATE TABLE IF NOT EXISTS internal.tool (
    slug VARCHAR PRIMARY KEY
);

-- comparison: one row per pair of tools compared on a page (slugs in URL order).
CREATE TABLE IF NOT EXISTS internal.comparison (
    tool_a_slug VARCHAR NOT NULL,
    tool_b_slug VARCHAR NOT NULL,
    PRIMARY KEY (tool_a_slug, tool_b_slug)
);

-- tool_observation: one row per tool card in one capture: the card's figures and, in
-- the full layout, the Decision table's. NULL where the page did not show the value.
-- (capture_id, position) is unique: a load writes a capture's rows only with the capture
-- itself, or after deleting its old ones (a reparse); no PRIMARY KEY, whose index every
-- CHECKPOINT would rewrite whole (see crawl_fetch in 020_crawl.sql).
CREATE TABLE IF NOT EXISTS internal.tool_observation (
    capture_id      VARCHAR NOT NULL,
    position        TINYINT NOT NULL,     -- 1 = left tool (first slug in the URL), 2 = right
    observed_at     TIMESTAMPTZ NOT NULL,
    tool_slug       VARCHAR,              -- NULL when the capture has no URL
    name            VARCHAR,
    category        VARCHAR,
    tagline         VARCHAR,
    badge           VARCHAR,              -- 'Ship' / 'Mixed' / 'Skip' (full layout only)
    panel_ship_pct  INTEGER,              -- share of the panel voting ship, 0-100
    community_pct   INTEGER,              -- NULL for no community votes
    entry           VARCHAR,              -- the site's 'Free' / 'Paid' label
    description     VARCHAR,
    panel_verdict   VARCHAR,              -- 'Ship' / 'Mixed' / 'Skip' from the Decision table
    ship_votes      INTEGER,
    skip_votes      INTEGER,
    pricing         VARCHAR,
    best_for        VARCHAR,
    community_ship_votes INTEGER,         -- Decision row 'NN% Ship (S / N)': the ship votes S
    community_votes INTEGER               -- ... and all votes N; NULL where not shown or unsure
);
-- Columns added after the first release (warehouses made before get them here, NULL).
ALTER TABLE internal.tool_observation ADD COLUMN IF NOT EXISTS community_ship_votes INTEGER;
ALTER TABLE internal.tool_observation ADD COLUMN IF NOT EXISTS community_votes INTEGER;

-- review_observation: one row per review shown in one capture, in page order.
-- Compact pages show no persona names and no scores: persona is inferred from the
-- order of the quotes (persona_inferred) and score/verdict are NULL here; the
-- `reviews` view fills them from the same review seen with a score elsewhere.
-- (capture_id, ordinal) is unique, kept so by the load as for tool_observation.
CREATE TABLE IF NOT EXISTS internal.review_observation (
    capture_id       VARCHAR NOT NULL,
    ordinal          SMALLINT NOT NULL,   -- 1-based order on the page
    observed_at      TIMESTAMPTZ NOT NULL,
    tool_position    TINYINT,             -- 1 or 2; NULL when the page does not say
    tool_slug        VARCHAR,
    persona          VARCHAR,             -- 'Builder', 'Skeptic', 'Futurist', 'Founder', …
    persona_inferred BOOLEAN NOT NULL,
    score            INTEGER,             -- out of 100
    verdict          VARCHAR,             -- 'ship' or 'skip'
    quote            VARCHAR              -- review text without its curly quotes
);
