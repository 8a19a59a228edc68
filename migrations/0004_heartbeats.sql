-- Heartbeat monitoring: one configuration (and its check state) per monitored
-- dependency, raw check results kept for a short retention, and minute/hour/day
-- rollups that feed graphs, uptime bars and reports.
CREATE TABLE heartbeats (
    dependency_id         INTEGER PRIMARY KEY REFERENCES dependencies (id) ON DELETE CASCADE,
    type                  TEXT    NOT NULL CHECK (type IN ('http', 'push')),
    enabled               INTEGER NOT NULL DEFAULT 1,
    url                   TEXT    NOT NULL DEFAULT '',
    interval_s            INTEGER NOT NULL,
    method                TEXT    NOT NULL DEFAULT 'GET',
    headers               TEXT    NOT NULL DEFAULT '{}',
    body                  TEXT    NOT NULL DEFAULT '',
    expect_status         TEXT    NOT NULL DEFAULT '2xx',
    expect_body           TEXT    NOT NULL DEFAULT '',
    timeout_ms            INTEGER NOT NULL DEFAULT 10000,
    degraded_after        INTEGER NOT NULL DEFAULT 1,
    down_after            INTEGER NOT NULL DEFAULT 3,
    grace_s               INTEGER NOT NULL DEFAULT 0,
    push_token            TEXT,
    last_check_at         TEXT,
    last_latency_ms       REAL,
    last_status_code      INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT    NOT NULL DEFAULT '',
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    consecutive_successes INTEGER NOT NULL DEFAULT 0,
    last_push_at          TEXT,
    updated_at            TEXT    NOT NULL
);
CREATE UNIQUE INDEX heartbeats_push_token ON heartbeats (push_token) WHERE push_token IS NOT NULL;

CREATE TABLE check_results (
    id            INTEGER PRIMARY KEY,
    dependency_id INTEGER NOT NULL REFERENCES dependencies (id) ON DELETE CASCADE,
    checked_at    TEXT    NOT NULL,
    ok            INTEGER NOT NULL,
    status_code   INTEGER NOT NULL DEFAULT 0,
    latency_ms    REAL    NOT NULL DEFAULT 0,
    error         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX check_results_dependency ON check_results (dependency_id, checked_at);
CREATE INDEX check_results_time ON check_results (checked_at);

-- resolution: 'm' minute, 'h' hour, 'd' day; bucket: the UTC start of the period.
-- Latencies in milliseconds, of the checks that got an answer.
CREATE TABLE check_rollups (
    dependency_id INTEGER NOT NULL REFERENCES dependencies (id) ON DELETE CASCADE,
    resolution    TEXT    NOT NULL CHECK (resolution IN ('m', 'h', 'd')),
    bucket        TEXT    NOT NULL,
    checks        INTEGER NOT NULL,
    failures      INTEGER NOT NULL,
    latency_n     INTEGER NOT NULL DEFAULT 0,
    latency_sum   REAL    NOT NULL DEFAULT 0,
    latency_min   REAL,
    latency_max   REAL,
    PRIMARY KEY (dependency_id, resolution, bucket)
) WITHOUT ROWID;
CREATE INDEX check_rollups_time ON check_rollups (resolution, bucket);
