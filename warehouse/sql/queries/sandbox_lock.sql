-- Locks an analyst session (warehouse.sandbox.lock_down): no file, URL or extension outside the allowed directories, and no SET or RESET can undo it (only the session time zone may still be set, per connection).
SET allowed_configs = ['TimeZone'];
SET enable_external_access = false;
SET lock_configuration = true;
