-- Sets internal.{table} aside as internal.{table}_keyed (made before the table lost its
-- PRIMARY KEY), for the schema files to create it anew without one.
ALTER TABLE internal.{table} RENAME TO {table}_keyed;
