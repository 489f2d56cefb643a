-- Returns the names of the tables still in the schema `main` of this database from before
-- the `internal` schema existed (warehouse.db moves them).
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main'
ORDER BY table_name;
