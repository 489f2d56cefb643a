-- Returns the rows of vendor_tool_evidence.sql for the known tools in
-- internal.pending_slug only (those whose observations a load changed).
SELECT s.slug,
       arg_max(o.name, (o.observed_at, o.name)) AS name,
       list(DISTINCT o.description) FILTER (WHERE o.description IS NOT NULL)
FROM (SELECT slug FROM internal.pending_slug
      WHERE slug IN (SELECT slug FROM internal.tool)
         OR slug IN (SELECT tool_slug FROM internal.tool_observation)) s
LEFT JOIN internal.tool_observation o ON o.tool_slug = s.slug
GROUP BY s.slug;
