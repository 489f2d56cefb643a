-- Rebuilds the trend_state rows of the tools in internal.pending_slug from each tool's
-- `since` on, reading the life of their pages (listed in internal.pending_life_url
-- first): each figure's last state before since is kept (noted in
-- internal.pending_trend_prior for trend_state_of(true) to number on from and compare
-- with), the states from since on are replaced, and the kept state's valid_to set anew.
INSERT OR IGNORE INTO internal.pending_life_url
SELECT url FROM internal.tool_state
WHERE tool_slug IN (SELECT slug FROM internal.pending_slug)
UNION
SELECT url FROM internal.review_state
WHERE tool_slug IN (SELECT slug FROM internal.pending_slug);
DELETE FROM internal.pending_trend_prior;
INSERT INTO internal.pending_trend_prior
SELECT t.kind, t.slug, t.persona, t.state_no, t.valid_from, t.verdict, t.value, t.pages,
       t.value_min, t.value_max, t.inferred_pages, t.category
FROM internal.trend_state t
JOIN internal.pending_slug p
    ON p.slug = t.slug AND t.valid_from < coalesce(p.since, '-infinity'::TIMESTAMPTZ)
QUALIFY row_number() OVER (PARTITION BY t.kind, t.slug, t.persona
                           ORDER BY t.valid_from DESC) = 1;
DELETE FROM internal.trend_state t USING internal.pending_slug p
WHERE p.slug = t.slug AND t.valid_from >= coalesce(p.since, '-infinity'::TIMESTAMPTZ);
INSERT INTO internal.trend_state BY NAME SELECT * FROM internal.trend_state_of(true);
UPDATE internal.trend_state t SET valid_to = n.next_from
FROM (SELECT q.kind, q.slug, q.persona, q.valid_from, min(s.valid_from) AS next_from
      FROM internal.pending_trend_prior q
      LEFT JOIN internal.trend_state s
          ON s.kind = q.kind AND s.slug = q.slug AND s.persona = q.persona
         AND s.valid_from > q.valid_from
      GROUP BY ALL) n
WHERE t.kind = n.kind AND t.slug = n.slug AND t.persona = n.persona
  AND t.valid_from = n.valid_from AND t.valid_to IS DISTINCT FROM n.next_from;
DELETE FROM internal.pending_trend_prior;
