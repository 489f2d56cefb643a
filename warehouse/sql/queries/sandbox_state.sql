-- Returns one row: whether the session's configuration is locked, whether external access is on, and the allowed directories.
SELECT
    current_setting('lock_configuration')::BOOLEAN AS locked,
    current_setting('enable_external_access')::BOOLEAN AS external_access,
    current_setting('allowed_directories') AS allowed_directories;
