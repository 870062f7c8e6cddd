-- Foundation: regions, departments, people, accounts, grants, sessions and the sign-in record.
-- Every table that grows with the work carries county_code (the first six digits of its region
-- code), the shard key of a distributed deployment. Times are Unix seconds (UTC).

CREATE TABLE regions (
    code        TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    level       INTEGER NOT NULL,
    parent_code TEXT,
    county_code TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE departments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    region_code  TEXT    NOT NULL REFERENCES regions (code),
    kind         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    credit_code  TEXT    UNIQUE,
    stationed_by TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (region_code, name)
);
CREATE INDEX departments_county ON departments (county_code, region_code);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    region_code   TEXT    NOT NULL REFERENCES regions (code),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    name          TEXT    NOT NULL,
    position      TEXT    NOT NULL,
    phone         TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX people_department ON people (department_id);
CREATE INDEX people_county ON people (county_code, region_code);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    county_code   TEXT    NOT NULL,
    region_code   TEXT    NOT NULL REFERENCES regions (code),
    person_id     INTEGER REFERENCES people (id),
    locale        TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_county ON users (county_code, region_code);

CREATE TABLE grants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    granted_by  INTEGER REFERENCES users (id),
    granted_at  INTEGER NOT NULL,
    revoked_by  INTEGER REFERENCES users (id),
    revoked_at  INTEGER
);
CREATE INDEX grants_user ON grants (user_id);
-- At most one active grant of a role on a region per account (revoked ones stay as history).
CREATE UNIQUE INDEX grants_active ON grants (user_id, role, region_code) WHERE revoked_at IS NULL;

CREATE TABLE sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE auth_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT,
    region_code TEXT,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    username    TEXT,
    user_id     INTEGER,
    actor_id    INTEGER,
    ip          TEXT,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX auth_events_username ON auth_events (username, kind, at);
CREATE INDEX auth_events_ip ON auth_events (ip, kind, at);
CREATE INDEX auth_events_region ON auth_events (region_code, at);
