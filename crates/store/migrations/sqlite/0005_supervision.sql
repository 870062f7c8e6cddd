-- Supervision and inspection: the household register the spot checks draw from, inspections,
-- spot-check draws, Book 3 (the problem rectification ledger) and the escalation ladder.
-- Append-only except the named current-state columns of `problems` (state, deadline, rejections)
-- and the set-once columns (an inspection's completion, an escalation's outcome, a proposal's
-- decision), every change of which is also a fact in the log.

-- Registered households (建档立卡) and others, by village: the population of spot checks.
CREATE TABLE households (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    head_name   TEXT    NOT NULL,
    id_number   TEXT    NOT NULL UNIQUE,
    poor        INTEGER NOT NULL,
    size        INTEGER NOT NULL CHECK (size BETWEEN 1 AND 30),
    created_at  INTEGER NOT NULL
);
CREATE INDEX households_region ON households (county_code, region_code);

-- A spot-check draw: seed, published rules and the sample, logged before the inspection starts.
CREATE TABLE spot_draws (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    round       TEXT    NOT NULL,
    seed        TEXT    NOT NULL,
    rules       TEXT    NOT NULL,
    -- The sample in canonical text: one line per village, `county village poor... | non_poor...`.
    sample      TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX spot_draws_round ON spot_draws (region_code, round);

CREATE TABLE inspections (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code      TEXT    NOT NULL,
    region_code      TEXT    NOT NULL REFERENCES regions (code),
    kind             TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    team             TEXT    NOT NULL,
    -- Department kinds leading it, comma-separated (discipline_commission,poverty_bureau,...).
    lead_departments TEXT    NOT NULL,
    -- What is inspected: regions, projects, households, as `region:CODE`, `project:ID`,
    -- `household:ID` joined by `;`.
    targets          TEXT    NOT NULL,
    planned_on       TEXT    NOT NULL,
    draw_id          INTEGER REFERENCES spot_draws (id),
    created_by       INTEGER REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    done_on          TEXT,
    findings         TEXT,
    done_by          INTEGER REFERENCES users (id),
    done_at          INTEGER
);
CREATE INDEX inspections_region ON inspections (county_code, region_code, done_on);

-- Book 3: one row per problem found.
CREATE TABLE problems (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code     TEXT    NOT NULL,
    region_code     TEXT    NOT NULL REFERENCES regions (code),
    inspection_id   INTEGER REFERENCES inspections (id),
    project_id      INTEGER REFERENCES projects (id),
    review_of       INTEGER REFERENCES problems (id),
    category        TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES departments (id),
    person_id       INTEGER REFERENCES people (id),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    first_deadline  TEXT    NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    -- Current state (changed only with a problem_events row).
    state           TEXT    NOT NULL,
    deadline        TEXT    NOT NULL,
    rejections      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX problems_region ON problems (county_code, region_code, state);
CREATE INDEX problems_deadline ON problems (state, deadline);

CREATE TABLE problem_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    problem_id  INTEGER NOT NULL REFERENCES problems (id),
    action      TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, id);

-- The escalation ladder: each step taken, with its document.
CREATE TABLE escalations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code        TEXT    NOT NULL,
    problem_id         INTEGER NOT NULL REFERENCES problems (id),
    step               TEXT    NOT NULL,
    document_no        TEXT    NOT NULL,
    issuing_unit       TEXT    NOT NULL,
    on_date            TEXT    NOT NULL,
    content            TEXT    NOT NULL,
    attendees          TEXT    NOT NULL,
    new_deadline       TEXT,
    responsible_person TEXT    NOT NULL,
    deduction_points   INTEGER,
    suspension_id      INTEGER REFERENCES suspensions (id),
    actor_id           INTEGER REFERENCES users (id),
    at                 INTEGER NOT NULL,
    outcome            TEXT,
    outcome_by         INTEGER REFERENCES users (id),
    outcome_at         INTEGER
);
CREATE INDEX escalations_problem ON escalations (problem_id, id);
CREATE UNIQUE INDEX escalations_document_no ON escalations (county_code, document_no);

-- Steps the rules made due, for a person to confirm or dismiss.
CREATE TABLE escalation_proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    problem_id  INTEGER NOT NULL REFERENCES problems (id),
    step        TEXT    NOT NULL,
    proposed_on TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    decision    TEXT,
    reason      TEXT,
    escalation_id INTEGER REFERENCES escalations (id),
    decided_by  INTEGER REFERENCES users (id),
    decided_at  INTEGER
);
CREATE UNIQUE INDEX escalation_proposals_step ON escalation_proposals (problem_id, step);
