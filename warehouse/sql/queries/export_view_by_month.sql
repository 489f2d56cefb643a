-- Writes the view {view} as Parquet under a directory, hive-partitioned by the month of
-- its DATE/TIMESTAMP column {column} ('unknown' when NULL) (param: the directory path).
COPY (SELECT *, coalesce(strftime({column}, '%Y-%m'), 'unknown') AS "month"
      FROM {view})
TO ? (FORMAT parquet, PARTITION_BY ("month"), OVERWRITE_OR_IGNORE);
