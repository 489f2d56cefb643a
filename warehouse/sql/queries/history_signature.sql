-- Returns one row describing what the derived tables are built from: the capture count,
-- an order-free hash of the captures' ids, parser versions, statuses, layouts and URLs,
-- the tool and review observation counts, and an order-free hash of the crawl outcomes
-- that end a page's life (gone, failed).
SELECT (SELECT count(*) FROM internal.capture),
       (SELECT coalesce(bit_xor(hash(capture_id, parser_version, parse_status,
                                     layout, url)), 0) FROM internal.capture),
       (SELECT count(*) FROM internal.tool_observation),
       (SELECT count(*) FROM internal.review_observation),
       (SELECT coalesce(bit_xor(hash(run_id, url, outcome, in_sitemap)), 0)
        FROM internal.crawl_fetch WHERE kind = 'page' AND outcome IN ('gone', 'failed'));
