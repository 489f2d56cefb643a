-- Sets the comment of a view (placeholders: the view name, and the comment as an SQL
-- string literal made by warehouse.db from the documentation over the view in its schema
-- file; COMMENT ON takes no bound parameters).
COMMENT ON VIEW {view} IS {comment};
