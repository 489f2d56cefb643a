-- Returns one row: what the warehouse holds (pages, captures, failed parses, tools, tools
-- with a vendor, tools listed).
SELECT c.pages, c.captures, c.failed, t.tools, v.tools_with_vendor, v.tools_listed
FROM (SELECT count(DISTINCT url) AS pages, count(*) AS captures,
             count(*) FILTER (parse_status = 'error') AS failed
      FROM internal.capture) c,
     (SELECT count(*) AS tools FROM internal.tool) t,
     (SELECT count(*) FILTER (vendor IS NOT NULL) AS tools_with_vendor, count(*) AS tools_listed
      FROM latest_tool_verdicts) v;
