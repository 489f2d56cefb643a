-- Writes the view {view} to one Parquet file (param: the file path).
COPY (SELECT * FROM {view}) TO ? (FORMAT parquet);
