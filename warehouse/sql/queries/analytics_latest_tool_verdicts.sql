-- Returns latest_tool_verdicts, of one vendor or of all when it is NULL
-- (params: vendor, vendor).
SELECT * FROM latest_tool_verdicts WHERE ? IS NULL OR vendor = ?
ORDER BY vendor NULLS LAST, tool_slug;
