-- Returns one row: whether this database has the schema `internal` (a warehouse made
-- before it existed gets it on its next writable open).
SELECT count(*) > 0 FROM duckdb_schemas()
WHERE database_name = current_database() AND schema_name = 'internal';
