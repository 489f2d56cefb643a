-- Sets the comment of one column of a view (placeholders: the view, the column, and the
-- comment as an SQL string literal made by warehouse.db from the Columns list over the
-- view in its schema file).
COMMENT ON COLUMN {view}.{column} IS {comment};
