-- Incidents with their timeline, and maintenance windows.
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    impact          TEXT    NOT NULL CHECK (impact IN ('minor', 'major', 'critical')),
    status          TEXT    NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    -- the status applied to the affected systems' manual status, or '' for none
    system_status   TEXT    NOT NULL DEFAULT '' CHECK (system_status IN ('', 'yellow', 'red')),
    started_at      TEXT    NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT    NOT NULL DEFAULT '',
    resolved_at     TEXT,
    postmortem      TEXT    NOT NULL DEFAULT '',
    created_by      TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX incidents_status ON incidents (status, id);
CREATE INDEX incidents_started ON incidents (started_at);

-- applied_change_id is the change-log entry with which the incident set the
-- system's manual status; on resolve the system goes back to green only if
-- that is still the newest manual change of the system.
CREATE TABLE incident_systems (
    incident_id       INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    system_id         INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    applied_change_id INTEGER,
    PRIMARY KEY (incident_id, system_id)
) WITHOUT ROWID;
CREATE INDEX incident_systems_system ON incident_systems (system_id, incident_id);

CREATE TABLE incident_updates (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    status      TEXT    NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    message     TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, id);

CREATE TABLE maintenances (
    id                 INTEGER PRIMARY KEY,
    title              TEXT    NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    starts_at          TEXT    NOT NULL,
    ends_at            TEXT    NOT NULL,
    cancelled_at       TEXT,
    -- when the started/completed events were emitted (exactly once, across restarts)
    started_event_at   TEXT,
    completed_event_at TEXT,
    created_by         TEXT    NOT NULL DEFAULT '',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenances_window ON maintenances (starts_at, ends_at);

-- No rows for a window means it covers every system.
CREATE TABLE maintenance_systems (
    maintenance_id INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    system_id      INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    PRIMARY KEY (maintenance_id, system_id)
) WITHOUT ROWID;
CREATE INDEX maintenance_systems_system ON maintenance_systems (system_id, maintenance_id);
