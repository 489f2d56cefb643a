-- Resolves unqualified names in the analyst schema `main`, then in `internal` (tables and
-- helpers): for the project's own connections (warehouse.connect). Analyst sessions
-- leave it out, so that SHOW TABLES lists only the analyst views.
SET search_path = 'main,internal';
