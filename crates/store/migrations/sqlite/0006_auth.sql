-- Sign-in limits, session timeouts and second steps, account disabling, TOTP second factor.

-- Sign-in limits, one row per key: `ua:<username>|<address>` (attempts per account and address),
-- `a:<address>` (attempts per address) and `u:<username>` (consecutive failures of an account and
-- the earliest next attempt it allows from addresses it has not signed in from). An attempt is
-- counted here, in one transaction, before its password is checked.
CREATE TABLE sign_in_limits (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    username     TEXT,
    ip           TEXT,
    county_code  TEXT,
    region_code  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL,
    next_at      INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX sign_in_limits_region ON sign_in_limits (region_code);
CREATE INDEX sign_in_limits_username ON sign_in_limits (username);
CREATE INDEX sign_in_limits_updated ON sign_in_limits (updated_at);

-- Sessions: a public id (to list and end them), last activity (idle timeout), where from, and
-- the stage (`full`, or `totp` while the second step is awaited, with its tries).
ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET public_id = substr(token_hash, 1, 32), last_seen_at = created_at;
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);

-- Disabling and re-enabling an account: a booked fact each (the users row keeps the state).
CREATE TABLE account_status (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    disabled    INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX account_status_user ON account_status (user_id, id);

-- TOTP (RFC 6238) secrets: unconfirmed until the person enters a code; `last_step` refuses a
-- code used twice.
CREATE TABLE user_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    county_code  TEXT    NOT NULL,
    secret       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0
);

-- One-time recovery codes, kept as SHA-256 hashes.
CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    county_code TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
