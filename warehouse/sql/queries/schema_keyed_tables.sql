-- Returns the names of the tables in the schema `internal` of this database that have a
-- PRIMARY KEY (warehouse.db drops it from the tables that no longer keep one).
SELECT DISTINCT table_name FROM duckdb_constraints()
WHERE database_name = current_database() AND schema_name = 'internal'
  AND constraint_type = 'PRIMARY KEY'
ORDER BY table_name;
