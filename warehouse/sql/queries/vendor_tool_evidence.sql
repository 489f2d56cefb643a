-- Returns one row per known tool slug: (slug, its latest display name (ties in time: the
-- greatest name, never a hash), the list of its distinct non-NULL descriptions), the
-- evidence its vendor is resolved from.
SELECT s.slug,
       arg_max(o.name, (o.observed_at, o.name)) AS name,
       list(DISTINCT o.description) FILTER (WHERE o.description IS NOT NULL)
FROM (SELECT slug FROM internal.tool
      UNION SELECT tool_slug FROM internal.tool_observation WHERE tool_slug IS NOT NULL) s
LEFT JOIN internal.tool_observation o ON o.tool_slug = s.slug
GROUP BY s.slug;
