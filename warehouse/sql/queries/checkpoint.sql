-- Writes the write-ahead log into the database file (before the file is copied).
CHECKPOINT;
