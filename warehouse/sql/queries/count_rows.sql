-- Returns one row: the number of rows of the table or view {table}.
SELECT count(*) FROM {table};
