-- The change log: every status transition and every comment on a status.
-- dependency_id is NULL for a change of a system's effective status.
CREATE TABLE status_changes (
    id            INTEGER PRIMARY KEY,
    system_id     INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    dependency_id INTEGER REFERENCES dependencies (id) ON DELETE CASCADE,
    old_status    TEXT    NOT NULL CHECK (old_status IN ('green', 'yellow', 'red')),
    new_status    TEXT    NOT NULL CHECK (new_status IN ('green', 'yellow', 'red')),
    message       TEXT    NOT NULL DEFAULT '',
    source        TEXT    NOT NULL,
    actor         TEXT    NOT NULL DEFAULT 'system',
    created_at    TEXT    NOT NULL
);
CREATE INDEX status_changes_system ON status_changes (system_id, id);
CREATE INDEX status_changes_dependency ON status_changes (dependency_id, id) WHERE dependency_id IS NOT NULL;
