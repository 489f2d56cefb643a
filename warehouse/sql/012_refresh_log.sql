-- What changed since the last refresh of the derived tables (reviews' compact-score fill,
-- vendors, histories, trends): the loaders write here, in the same transaction as their
-- rows, and warehouse.history.refresh_analytics recomputes only what these name, then
-- empties them. Idempotent. See warehouse/incremental.py for the steps.

-- pending_url: one row per page URL whose captures or observations were inserted,
-- reparsed (old and new URL) or whose life changed (a crawl found it gone or failing)
-- since the last refresh. The refresh adds the URLs whose reviews' filled scores moved.
--   since   the earliest moment (observed_at) of what changed: the page's derived rows
--           before it stand ('-infinity': everything may have changed). A log entry for
--           a URL already logged keeps the earlier moment (internal.earliest).
CREATE TABLE IF NOT EXISTS internal.pending_url (
    url   VARCHAR PRIMARY KEY,
    since TIMESTAMPTZ DEFAULT '-infinity'
);
ALTER TABLE internal.pending_url ADD COLUMN IF NOT EXISTS since TIMESTAMPTZ DEFAULT '-infinity';

-- pending_slug: one row per tool slug with an observation inserted or deleted since the
-- last refresh (its vendor is resolved again); the refresh adds the slugs of the history
-- rows it rewrote (their trends are rebuilt from `since` on: the earliest moment at which
-- one of the tool's pages changed, as in pending_url).
CREATE TABLE IF NOT EXISTS internal.pending_slug (
    slug  VARCHAR PRIMARY KEY,
    since TIMESTAMPTZ DEFAULT '-infinity'
);
ALTER TABLE internal.pending_slug ADD COLUMN IF NOT EXISTS since TIMESTAMPTZ DEFAULT '-infinity';

-- earliest(a, b): the earlier of two log moments, NULL read as '-infinity' (from the
-- beginning): what a log entry for a URL or slug already logged keeps.
CREATE OR REPLACE MACRO internal.earliest(a, b) AS
    least(coalesce(a, '-infinity'::TIMESTAMPTZ), coalesce(b, '-infinity'::TIMESTAMPTZ));

-- pending_tools_of(history): one row per tool with a row of the history table named
-- (e.g. 'internal.tool_state') on a page in pending_url: slug, and the earliest since of
-- those pages (what an incremental refresh adds to pending_slug, before and after it
-- rebuilds the pages' rows).
CREATE OR REPLACE MACRO internal.pending_tools_of(history) AS TABLE
SELECT s.tool_slug AS slug, min(coalesce(p.since, '-infinity'::TIMESTAMPTZ)) AS since
FROM query_table(history) s
JOIN internal.pending_url p USING (url)
WHERE s.tool_slug IS NOT NULL
GROUP BY s.tool_slug;

-- pending_review_key: one row per review text (tool key, quote) with an observation
-- inserted or deleted since the last refresh: the compact-score fill of every review with
-- that text is recomputed (tool_key as in review_fill_of: 's:' || slug, else 'n:' || name).
CREATE TABLE IF NOT EXISTS internal.pending_review_key (
    tool_key VARCHAR NOT NULL,
    quote    VARCHAR NOT NULL,
    PRIMARY KEY (tool_key, quote)
);

-- pending_capture: one row per capture reparsed since the last refresh (its old fill rows
-- are dropped whatever its reviews became).
CREATE TABLE IF NOT EXISTS internal.pending_capture (
    capture_id VARCHAR PRIMARY KEY
);

-- pending_life_url: one row per page URL whose life spans a trend refresh reads (the
-- pages of the tools being rebuilt); filled and emptied within one refresh.
CREATE TABLE IF NOT EXISTS internal.pending_life_url (
    url VARCHAR PRIMARY KEY
);

-- derived_watermark: one row (or none before the first refresh): the row counts of the
-- core tables the derived tables account for: set by a refresh, moved by each load by what
-- it wrote. A count that differs from the table's means a write that bypassed the loaders
-- (the log above is then incomplete): the next refresh rebuilds everything.
--   fingerprint          of the schema, mapping files and parser versions (see
--                        warehouse.history.fingerprint): a new one means a full rebuild
--   captures, tool_observations, review_observations   the counts
CREATE TABLE IF NOT EXISTS internal.derived_watermark (
    fingerprint         VARCHAR NOT NULL,
    captures            BIGINT NOT NULL,
    tool_observations   BIGINT NOT NULL,
    review_observations BIGINT NOT NULL
);
