-- Schemas: the default schema (`main`) holds only the documented analyst views (and
-- `captures`); every table and helper view lives in the schema `internal`, so `SHOW
-- TABLES`, `.tables` and `duckdb_views()` list what analysts are meant to read. Project
-- connections (warehouse.connect, snapshot.open_readonly) search `main` then `internal`,
-- so `SELECT … FROM capture` still works there; other tools write `internal.capture`.
-- Idempotent. Warehouses made before the split are moved over by warehouse.db
-- (tables copied into `internal`, the old helper views dropped here).
CREATE SCHEMA IF NOT EXISTS internal;

-- The helper views that lived in `main` before the split (re-created in `internal`).
DROP VIEW IF EXISTS main.review_fill_live;
DROP VIEW IF EXISTS main.tool_state_live;
DROP VIEW IF EXISTS main.review_state_live;
DROP VIEW IF EXISTS main.tool_asof_live;
DROP VIEW IF EXISTS main.review_asof_live;
DROP VIEW IF EXISTS main.analytics_periods;
DROP VIEW IF EXISTS main.tool_asof_periods;
DROP VIEW IF EXISTS main.review_asof_periods;
DROP VIEW IF EXISTS main.tool_rates_by_group;
DROP VIEW IF EXISTS main.crawl_validators;
DROP VIEW IF EXISTS main.crawl_url_status;
DROP VIEW IF EXISTS main.crawl_run_summary;
