-- Returns the verdicts that changed in a run's new captures vs the previous capture of the
-- same page URL: (url, tool_slug, subject, what, field, old_value, new_value); tool cards'
-- panel_verdict, badge, panel_ship_pct and reviews' verdict, score (param: run_id).
WITH tonight AS (
    SELECT capture_id, url, observed_at FROM capture
    WHERE source = 'crawl' AND source_ref = ?
),
prev AS (
    SELECT t.capture_id, t.url,
           (SELECT p.capture_id FROM capture p
            WHERE p.url = t.url AND p.observed_at < t.observed_at
              AND p.parse_status <> 'error'
            ORDER BY p.observed_at DESC LIMIT 1) AS prev_id
    FROM tonight t
),
tools AS (
    SELECT p.url, n.tool_slug, coalesce(n.name, n.tool_slug) AS subject,
           'tool' AS what, f.field,
           f.old_value, f.new_value
    FROM prev p
    JOIN tool_observation n ON n.capture_id = p.capture_id
    JOIN tool_observation o ON o.capture_id = p.prev_id AND o.position = n.position
    CROSS JOIN LATERAL (VALUES
        ('panel_verdict', o.panel_verdict, n.panel_verdict),
        ('badge', o.badge, n.badge),
        ('panel_ship_pct', o.panel_ship_pct::VARCHAR, n.panel_ship_pct::VARCHAR)
    ) f(field, old_value, new_value)
    WHERE f.old_value IS DISTINCT FROM f.new_value
      AND f.old_value IS NOT NULL AND f.new_value IS NOT NULL
),
reviews AS (
    SELECT p.url, n.tool_slug, n.persona AS subject, 'review' AS what, f.field,
           f.old_value, f.new_value
    FROM prev p
    JOIN review_observation n ON n.capture_id = p.capture_id
    JOIN review_observation o ON o.capture_id = p.prev_id
         AND o.tool_slug IS NOT DISTINCT FROM n.tool_slug AND o.persona = n.persona
    CROSS JOIN LATERAL (VALUES
        ('verdict', o.verdict, n.verdict),
        ('score', o.score::VARCHAR, n.score::VARCHAR)
    ) f(field, old_value, new_value)
    WHERE n.persona IS NOT NULL AND NOT n.persona_inferred AND NOT o.persona_inferred
      AND f.old_value IS DISTINCT FROM f.new_value
      AND f.old_value IS NOT NULL AND f.new_value IS NOT NULL
)
SELECT * FROM tools UNION ALL SELECT * FROM reviews
ORDER BY url, tool_slug, what, subject, field;
