-- Returns one row: DuckDB's JSON syntax tree of the SQL text ? (json_serialize_sql; parses only, runs nothing).
SELECT json_serialize_sql(?::VARCHAR);
