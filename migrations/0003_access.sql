-- Users, their sessions, API keys, and the audit log of configuration changes.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE);

-- id_hash is the hex SHA-256 of the random cookie value; the value itself is never stored.
CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- hash is the hex SHA-256 of the key; prefix is its first characters, for display.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    expires_at   TEXT,
    enabled      INTEGER NOT NULL DEFAULT 1,
    last_used_at TEXT,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);
CREATE UNIQUE INDEX api_keys_name ON api_keys (name COLLATE NOCASE);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL DEFAULT 0,
    summary     TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL
);
