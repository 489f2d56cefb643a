-- Returns the verdict changes first observed in a run's captures, read from the analyst
-- view verdict_changes (one rule, one place: within one page, consecutive captures):
-- (url, tool_slug, subject, what, field, old_value, new_value, basis), where what is
-- 'tool' (a card's panel_ship_pct / panel_verdict) or 'review' (a critic's score /
-- verdict) and basis is 'observed' or 'inferred' (param: run_id). Reads the materialised
-- histories of the run's pages only (the view's macro, scoped): refresh them after the
-- run's load (publish_snapshot does).
SELECT v.url, v.tool_slug,
       CASE WHEN v.kind = 'panel' THEN coalesce(v.name, v.tool_slug) ELSE v.persona END
           AS subject,
       CASE WHEN v.kind = 'panel' THEN 'tool' ELSE 'review' END AS what,
       f.field, f.old_value, f.new_value, v.basis
FROM internal.verdict_changes_of((
    SELECT list(DISTINCT url) FROM internal.capture
    WHERE source = 'crawl' AND source_ref = $1 AND url IS NOT NULL)) v
JOIN internal.capture c ON c.capture_id = v.capture_id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN v.kind = 'panel' THEN 'panel_verdict' ELSE 'verdict' END,
     v.verdict_before, v.verdict_after, v.verdict_changed),
    (CASE WHEN v.kind = 'panel' THEN 'panel_ship_pct' ELSE 'score' END,
     v.score_before::VARCHAR, v.score_after::VARCHAR, v.score_changed)
) f(field, old_value, new_value, changed)
WHERE c.source = 'crawl' AND c.source_ref = $1 AND f.changed
ORDER BY v.url, v.tool_slug, what, subject, f.field;
