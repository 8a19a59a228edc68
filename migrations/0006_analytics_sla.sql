-- Analytics, SLA reports and breaches.

-- Transitions only (notes have old = new), by entity and time: one system's
-- or dependency's history in a window is an index range.
CREATE INDEX status_changes_system_transitions
    ON status_changes (system_id, created_at, id, old_status, new_status)
    WHERE dependency_id IS NULL AND old_status <> new_status;
CREATE INDEX status_changes_dependency_transitions
    ON status_changes (dependency_id, created_at, id, old_status, new_status)
    WHERE dependency_id IS NOT NULL AND old_status <> new_status;
-- ... and by time alone, for the whole fleet's history in a window.
CREATE INDEX status_changes_fleet_transitions
    ON status_changes (created_at, id, system_id, old_status, new_status)
    WHERE dependency_id IS NULL AND old_status <> new_status;

-- Summaries (domain.Span) of a system's history over one closed UTC day
-- ('d') or calendar month ('m'), maintenance already removed. They are a
-- cache of the change log: a worker fills them, maintenance changes delete
-- the ones they touch, and analytics fall back to the log where one is
-- missing. Durations in milliseconds.
CREATE TABLE analytics_spans (
    kind          TEXT    NOT NULL CHECK (kind IN ('d', 'm')),
    start         TEXT    NOT NULL,
    system_id     INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    green_ms      INTEGER NOT NULL,
    yellow_ms     INTEGER NOT NULL,
    red_ms        INTEGER NOT NULL,
    maint_ms      INTEGER NOT NULL,
    has_green     INTEGER NOT NULL,
    pre_ms        INTEGER NOT NULL,
    suf_ms        INTEGER NOT NULL,
    inner_n       INTEGER NOT NULL,
    inner_ms      INTEGER NOT NULL,
    inner_max_ms  INTEGER NOT NULL,
    PRIMARY KEY (kind, start, system_id)
) WITHOUT ROWID;
CREATE INDEX analytics_spans_system ON analytics_spans (system_id, kind, start);

CREATE TABLE sla_breaches (
    id              INTEGER PRIMARY KEY,
    system_id       INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    period_kind     TEXT    NOT NULL CHECK (period_kind IN ('month')),
    period_start    TEXT    NOT NULL,
    period_end      TEXT    NOT NULL,
    target          REAL    NOT NULL,
    availability    REAL    NOT NULL,
    red_ms          INTEGER NOT NULL,
    budget_ms       INTEGER NOT NULL,
    detected_at     TEXT    NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT    NOT NULL DEFAULT '',
    UNIQUE (system_id, period_kind, period_start)
);
CREATE INDEX sla_breaches_open ON sla_breaches (acknowledged_at, id);

-- Reports are snapshots: their rows keep names and figures even after the
-- systems change or go away, so they carry no foreign keys to them.
CREATE TABLE sla_reports (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    period_start TEXT    NOT NULL,
    period_end   TEXT    NOT NULL,
    generated_at TEXT    NOT NULL,
    generated_by TEXT    NOT NULL
);

CREATE TABLE sla_report_systems (
    report_id       INTEGER NOT NULL REFERENCES sla_reports (id) ON DELETE CASCADE,
    system_id       INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    target          REAL    NOT NULL,
    counted_ms      INTEGER NOT NULL,
    uptime          REAL,
    availability    REAL,
    incidents       INTEGER NOT NULL,
    outages         INTEGER NOT NULL,
    downtime_ms     INTEGER NOT NULL,
    degraded_ms     INTEGER NOT NULL,
    maintenance_ms  INTEGER NOT NULL,
    longest_ms      INTEGER NOT NULL,
    mttr_ms         INTEGER,
    PRIMARY KEY (report_id, system_id)
) WITHOUT ROWID;

CREATE TABLE sla_report_dependencies (
    report_id       INTEGER NOT NULL REFERENCES sla_reports (id) ON DELETE CASCADE,
    dependency_id   INTEGER NOT NULL,
    system_id       INTEGER NOT NULL,
    system_name     TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    uptime          REAL,
    checks          INTEGER NOT NULL,
    failures        INTEGER NOT NULL,
    latency_avg_ms  REAL,
    latency_p95_ms  REAL,
    PRIMARY KEY (report_id, dependency_id)
) WITHOUT ROWID;
