-- Returns review_history, of one tool and/or one persona; NULL keeps all
-- (params: slug, slug, persona, persona).
SELECT * FROM review_history WHERE (? IS NULL OR tool_slug = ?)
AND (? IS NULL OR persona = ?) ORDER BY tool_slug, persona, valid_from, url;
