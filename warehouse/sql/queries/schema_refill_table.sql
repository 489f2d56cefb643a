-- Moves the rows of internal.{table}_keyed (schema_unkey_table.sql) into the new
-- internal.{table} (columns matched by name) and drops it. Two statements, run together.
INSERT INTO internal.{table} BY NAME SELECT * FROM internal.{table}_keyed;
DROP TABLE internal.{table}_keyed;
