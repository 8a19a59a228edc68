-- Settings edited in /admin that override the start-up defaults (flags and
-- environment): the public status page's name, logo and accent colour. One
-- row per key; a missing key falls back to its default.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
