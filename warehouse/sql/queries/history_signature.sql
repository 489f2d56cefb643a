-- Returns one row describing what the derived tables are built from: the capture count,
-- an order-free hash of the captures' ids, parser versions, statuses, layouts and URLs,
-- and the tool and review observation counts.
SELECT (SELECT count(*) FROM capture),
       (SELECT coalesce(bit_xor(hash(capture_id, parser_version, parse_status,
                                     layout, url)), 0) FROM capture),
       (SELECT count(*) FROM tool_observation),
       (SELECT count(*) FROM review_observation);
