-- Vendors: who makes each tool. Filled by warehouse.vendor.refresh_vendors(con), which the
-- loaders call after each load (resolution is Python: see warehouse/vendor.py for the rules).
-- Idempotent.

-- vendor: one row per vendor in the registry (warehouse/vendors.csv) as of the last refresh.
--   vendor     canonical vendor name ('Hugging Face', 'Mistral AI', 'Meta', …)
--   aliases    other names matched in descriptions ('Mistral', 'Google DeepMind', …)
--   slug_keys  slug token sequences that name the vendor or its products ('llama', 'gemini')
CREATE TABLE IF NOT EXISTS internal.vendor (
    vendor     VARCHAR PRIMARY KEY,
    aliases    VARCHAR[],
    slug_keys  VARCHAR[]
);

-- tool_vendor: one row per tool (slug) known at the last refresh.
--   slug             the tool (tool.slug)
--   vendor           canonical vendor; NULL = unknown (never guessed)
--   vendor_source    where it came from, by precedence: 'override' (vendor_overrides.csv)
--                    > 'slug' > 'description' > 'name'; NULL when unknown
--   vendor_evidence  what matched: the slug tokens ('hugging-face'), the description phrase
--                    ('from Hugging Face'), the name tokens, or the overrides file
CREATE TABLE IF NOT EXISTS internal.tool_vendor (
    slug            VARCHAR PRIMARY KEY,
    vendor          VARCHAR,
    vendor_source   VARCHAR,
    vendor_evidence VARCHAR
);

-- category_map: one row per raw category the mapping file names (warehouse/categories.csv),
-- as of the last refresh (warehouse.categories.refresh_categories).
--   category   the category exactly as pages show it ('AI/ML Models')
--   canonical  the canonical category it stands for ('AI Models')
CREATE TABLE IF NOT EXISTS internal.category_map (
    category  VARCHAR PRIMARY KEY,
    canonical VARCHAR NOT NULL
);
