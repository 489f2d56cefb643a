-- Returns review_trend, of one tool and/or one persona; NULL keeps all
-- (params: slug, slug, persona, persona).
SELECT * FROM review_trend WHERE (? IS NULL OR slug = ?) AND (? IS NULL OR persona = ?)
ORDER BY slug, persona, valid_from;
