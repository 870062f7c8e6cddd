-- Book 4, acceptance (issue 17): a completed project is applied for, prechecked by the township,
-- inspected by a county team that signs person by person, posted for objections (a notice of
-- kind `acceptance`), and accepted; or failed, rectified by a deadline and inspected again.

-- The county's numbers of Book 4 (core `acceptance::Rules`); a county without a row uses the
-- defaults. Each change rewrites the row and is a new fact (versioned).
CREATE TABLE acceptance_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code       TEXT    NOT NULL UNIQUE,
    inspection_days   INTEGER NOT NULL,
    retention_percent INTEGER NOT NULL CHECK (retention_percent BETWEEN 0 AND 100),
    posting_days      INTEGER NOT NULL,
    evaluation_years  TEXT    NOT NULL,
    basis             TEXT    NOT NULL,
    set_by            INTEGER REFERENCES users (id),
    set_at            INTEGER NOT NULL
);

-- One acceptance per project. state, deadline, notice_id and accepted_on are derived from the
-- events (each change is an event row and a fact).
CREATE TABLE acceptances (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL UNIQUE REFERENCES projects (id),
    state       TEXT    NOT NULL DEFAULT 'applied',
    applied_on  TEXT    NOT NULL,
    application TEXT    NOT NULL,
    applied_by  INTEGER REFERENCES users (id),
    applied_at  INTEGER NOT NULL,
    deadline    TEXT,
    notice_id   INTEGER REFERENCES notices (id),
    accepted_on TEXT
);
CREATE INDEX acceptances_county ON acceptances (county_code, state);

CREATE TABLE acceptance_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    acceptance_id INTEGER NOT NULL REFERENCES acceptances (id),
    action        TEXT    NOT NULL,
    from_state    TEXT    NOT NULL,
    to_state      TEXT    NOT NULL,
    comment       TEXT    NOT NULL,
    on_date       TEXT    NOT NULL,
    deadline      TEXT,
    notice_id     INTEGER REFERENCES notices (id),
    actor_id      INTEGER REFERENCES users (id),
    at            INTEGER NOT NULL
);
CREATE INDEX acceptance_events_acceptance ON acceptance_events (acceptance_id, id);

-- The county's joint team: each member an account, their unit read from their person's
-- department when the team is formed.
CREATE TABLE acceptance_members (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    acceptance_id INTEGER NOT NULL REFERENCES acceptances (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    unit_kind     TEXT    NOT NULL,
    added_by      INTEGER REFERENCES users (id),
    added_at      INTEGER NOT NULL,
    UNIQUE (acceptance_id, user_id)
);

-- Each inspection by the team (a failed one is followed by another after rectification). The
-- report's SHA-256 is derived from its canonical text (core `acceptance::report_text`).
CREATE TABLE acceptance_inspections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    acceptance_id INTEGER NOT NULL REFERENCES acceptances (id),
    round         INTEGER NOT NULL,
    inspected_on  TEXT    NOT NULL,
    checklist     TEXT    NOT NULL,
    grade         TEXT    NOT NULL,
    findings      TEXT    NOT NULL,
    deadline      TEXT,
    team          TEXT    NOT NULL,
    report_sha256 TEXT    NOT NULL,
    actor_id      INTEGER REFERENCES users (id),
    at            INTEGER NOT NULL,
    UNIQUE (acceptance_id, round)
);

-- Each member's sign-off of an inspection's report: the hash, checklist and grade they signed,
-- and their opinion (a later sign-off of the same report replaces their earlier one).
CREATE TABLE acceptance_signoffs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    inspection_id INTEGER NOT NULL REFERENCES acceptance_inspections (id),
    member_id     INTEGER NOT NULL REFERENCES acceptance_members (id),
    report_sha256 TEXT    NOT NULL,
    checklist     TEXT    NOT NULL,
    grade         TEXT    NOT NULL,
    opinion       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    signed_on     TEXT    NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX acceptance_signoffs_inspection ON acceptance_signoffs (inspection_id, member_id, id);
