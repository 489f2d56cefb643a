-- Moves the rows of the legacy table main.{table} into internal.{table} (columns matched
-- by name) and drops it. Two statements, run together in one transaction.
INSERT INTO internal.{table} BY NAME SELECT * FROM main.{table};
DROP TABLE main.{table};
