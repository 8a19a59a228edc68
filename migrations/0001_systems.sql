-- Systems and their dependencies.
CREATE TABLE systems (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    owner         TEXT    NOT NULL DEFAULT '',
    manual_status TEXT    NOT NULL DEFAULT 'green' CHECK (manual_status IN ('green', 'yellow', 'red')),
    status        TEXT    NOT NULL DEFAULT 'green' CHECK (status IN ('green', 'yellow', 'red')),
    sla_target    REAL    NOT NULL DEFAULT 99.9 CHECK (sla_target > 0 AND sla_target <= 100),
    public        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX systems_name ON systems (name COLLATE NOCASE);

CREATE TABLE dependencies (
    id          INTEGER PRIMARY KEY,
    system_id   INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'green' CHECK (status IN ('green', 'yellow', 'red')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX dependencies_system_name ON dependencies (system_id, name COLLATE NOCASE);
