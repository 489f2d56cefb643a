-- Replaces the tool_vendor rows of the tools in internal.pending_slug with the Arrow
-- table registered as _va_tool_vendor. Two statements, run together in one transaction.
DELETE FROM internal.tool_vendor WHERE slug IN (SELECT slug FROM internal.pending_slug);
INSERT INTO internal.tool_vendor (slug, vendor, vendor_source, vendor_evidence)
SELECT slug, vendor, vendor_source, vendor_evidence FROM _va_tool_vendor;
