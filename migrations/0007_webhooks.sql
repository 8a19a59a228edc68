-- Webhook notifications: the webhooks, the event outbox, one delivery per
-- (webhook, event) and the log of every delivery attempt.
CREATE TABLE webhooks (
    id                        INTEGER PRIMARY KEY,
    name                      TEXT    NOT NULL,
    type                      TEXT    NOT NULL CHECK (type IN ('slack', 'discord', 'telegram', 'teams', 'generic')),
    url                       TEXT    NOT NULL DEFAULT '',
    -- write-only credentials: never returned by the API or shown on pages
    secret                    TEXT    NOT NULL DEFAULT '',
    bot_token                 TEXT    NOT NULL DEFAULT '',
    chat_id                   TEXT    NOT NULL DEFAULT '',
    -- comma-separated event types and system ids ('' = every system)
    events                    TEXT    NOT NULL,
    system_ids                TEXT    NOT NULL DEFAULT '',
    enabled                   INTEGER NOT NULL DEFAULT 1,
    notify_during_maintenance INTEGER NOT NULL DEFAULT 0,
    created_at                TEXT    NOT NULL,
    updated_at                TEXT    NOT NULL
);

-- The outbox: written in the same transaction as the change it reports.
-- data is the event's content as JSON (an internal format; the wire formats
-- are built from it at delivery time).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    type        TEXT    NOT NULL,
    occurred_at TEXT    NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX events_occurred ON events (occurred_at);

-- One row per webhook that wants an event. next_attempt_at is set while the
-- delivery is pending; a claimed delivery carries a lease there, so that a
-- crash mid-attempt retries after the lease.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    webhook_id       INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE delivery_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at TEXT    NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed'))
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
CREATE INDEX delivery_attempts_time ON delivery_attempts (attempted_at);
