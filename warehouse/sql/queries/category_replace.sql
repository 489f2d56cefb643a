-- Replaces category_map with the Arrow table registered as _va_category_map (category,
-- canonical). Two statements, run together in one transaction.
DELETE FROM internal.category_map;
INSERT INTO internal.category_map (category, canonical)
SELECT category, canonical FROM _va_category_map;
