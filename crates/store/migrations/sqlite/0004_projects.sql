-- The project library (bottom-up declaration, notice, approval, implementation) and Book 2, the
-- supervision responsibility ledger. Every table is append-only except the named current-state
-- columns of `projects` (stage, status, current version and progress), whose every change is
-- also a row here and a fact in the log.

-- The project row keeps what the library lists and filters by; its content lives in versions.
ALTER TABLE projects ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
ALTER TABLE projects ADD COLUMN stage TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE projects ADD COLUMN status TEXT;
ALTER TABLE projects ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN approved_version INTEGER;
ALTER TABLE projects ADD COLUMN notice_from TEXT;
ALTER TABLE projects ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN budget_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN created_by INTEGER REFERENCES users (id);
CREATE INDEX projects_year ON projects (county_code, fiscal_year, stage);

-- Each declaration or revision of a project's content, numbered from 1.
CREATE TABLE project_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    version       INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    region_code   TEXT    NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    -- `source:fen` pairs in source order, e.g. `central_special:50000000,county_budget:800000`.
    budget        TEXT    NOT NULL,
    outputs       TEXT    NOT NULL,
    households    INTEGER NOT NULL,
    income_effect TEXT    NOT NULL,
    satisfaction  INTEGER NOT NULL,
    meeting_on    TEXT    NOT NULL,
    meeting_ref   TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    actor_id      INTEGER REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    UNIQUE (project_id, version)
);

-- Every step on the declaration path and of the implementation status.
CREATE TABLE project_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    comment     TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, id);

-- Objections raised while the project was under public notice, and their answers.
CREATE TABLE project_objections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    objector    TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    received_on TEXT    NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at INTEGER NOT NULL,
    answer      TEXT,
    answered_by INTEGER REFERENCES users (id),
    answered_at INTEGER
);
CREATE INDEX project_objections_project ON project_objections (project_id, id);

CREATE TABLE project_milestones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    name        TEXT    NOT NULL,
    weight      INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 100),
    due_on      TEXT,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX project_milestones_project ON project_milestones (project_id, id);

-- Dated progress reports of a milestone; the latest is its progress.
CREATE TABLE milestone_updates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    milestone_id INTEGER NOT NULL REFERENCES project_milestones (id),
    progress     INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    on_date      TEXT    NOT NULL,
    note         TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    at           INTEGER NOT NULL
);
CREATE INDEX milestone_updates_milestone ON milestone_updates (milestone_id, id);

-- Beneficiary households, by the resident ID number of the household head.
CREATE TABLE project_beneficiaries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    project_id     INTEGER NOT NULL REFERENCES projects (id),
    name           TEXT    NOT NULL,
    id_number      TEXT    NOT NULL,
    household_size INTEGER NOT NULL CHECK (household_size BETWEEN 1 AND 30),
    added_by       INTEGER REFERENCES users (id),
    added_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX project_beneficiaries_id_number ON project_beneficiaries (project_id, id_number);

-- Book 2: who answers for a project, from when to when. Ending sets the end columns once.
CREATE TABLE responsibilities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    role        TEXT    NOT NULL,
    start_on    TEXT    NOT NULL,
    assigned_by INTEGER REFERENCES users (id),
    assigned_at INTEGER NOT NULL,
    end_on      TEXT,
    end_reason  TEXT,
    ended_by    INTEGER REFERENCES users (id),
    ended_at    INTEGER
);
CREATE INDEX responsibilities_project ON responsibilities (project_id, start_on);
CREATE INDEX responsibilities_person ON responsibilities (person_id, start_on);

-- Responsibility letters between the county poverty alleviation bureau and a township.
CREATE TABLE responsibility_letters (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code        TEXT    NOT NULL,
    region_code        TEXT    NOT NULL REFERENCES regions (code),
    fiscal_year        INTEGER NOT NULL,
    document_no        TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    content            TEXT    NOT NULL,
    content_sha256     TEXT    NOT NULL,
    bureau_person_id   INTEGER NOT NULL REFERENCES people (id),
    township_person_id INTEGER NOT NULL REFERENCES people (id),
    signed_on          TEXT    NOT NULL,
    filed_by           INTEGER REFERENCES users (id),
    filed_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX responsibility_letters_document_no ON responsibility_letters (county_code, document_no);
CREATE INDEX responsibility_letters_region ON responsibility_letters (county_code, region_code);
