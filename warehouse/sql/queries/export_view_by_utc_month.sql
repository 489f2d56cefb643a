-- Writes the view {view} as Parquet under a directory, hive-partitioned by the UTC month of
-- its TIMESTAMPTZ column {column} ('unknown' when NULL) (param: the directory path).
COPY (SELECT *, coalesce(strftime(timezone('UTC', {column}), '%Y-%m'), 'unknown') AS "month"
      FROM {view})
TO ? (FORMAT parquet, PARTITION_BY ("month"), OVERWRITE_OR_IGNORE);
