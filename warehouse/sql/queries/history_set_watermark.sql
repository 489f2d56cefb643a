-- Sets the derived tables' watermark (params: fingerprint, and the three row counts).
DELETE FROM internal.derived_watermark;
INSERT INTO internal.derived_watermark VALUES (?, ?, ?, ?);
