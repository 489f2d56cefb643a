-- Drops the legacy table main.{table} (a derived table: rebuilt by the next refresh).
DROP TABLE IF EXISTS main.{table};
