-- Replaces tool_vendor with the Arrow table registered as _va_tool_vendor and vendor with
-- the one registered as _va_vendor. Four statements, run together in one transaction.
DELETE FROM internal.tool_vendor;
INSERT INTO internal.tool_vendor (slug, vendor, vendor_source, vendor_evidence)
SELECT slug, vendor, vendor_source, vendor_evidence FROM _va_tool_vendor;
DELETE FROM internal.vendor;
INSERT INTO internal.vendor (vendor, aliases, slug_keys)
SELECT vendor, aliases, slug_keys FROM _va_vendor;
