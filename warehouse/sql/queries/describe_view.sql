-- Returns one row per column of the view {view}: name, type, ….
DESCRIBE SELECT * FROM {view};
