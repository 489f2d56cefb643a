-- Moves the rows of the table {source} into internal.{table} (columns matched by name) and
-- drops it: a legacy main.{table} (from before the `internal` schema), or the
-- internal.{table}_keyed set aside by schema_unkey_table.sql. Two statements, run together.
INSERT INTO internal.{table} BY NAME SELECT * FROM {source};
DROP TABLE {source};
