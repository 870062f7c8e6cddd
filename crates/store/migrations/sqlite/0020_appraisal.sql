-- The household democratic appraisal (issue 18, deliverable 3; core `appraisal`): the lists
-- applicants are cross-checked against, the rounds (two notices and one announcement) with their
-- applicants, hits, votes, samples and checks, and the changes of the households' `poor` flag,
-- each caused by an announcement.

-- A cross-check list as imported (public-payroll staff, village cadres and their close
-- relatives, registered vehicles, commercial housing), for a county or a region below it. The
-- latest list of a kind for a region stands.
CREATE TABLE crosscheck_lists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    kind        TEXT    NOT NULL,
    imported_on TEXT    NOT NULL,
    imported_by INTEGER REFERENCES users (id),
    file_sha256 TEXT    NOT NULL,
    row_count   INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX crosscheck_lists_region ON crosscheck_lists (county_code, region_code, kind);

-- One row of a list: a person (on the cadre list the cadre, `本人`, or a close relative with the
-- relation and the cadre's name), the ID number when the list gives one ('' otherwise).
CREATE TABLE crosscheck_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    list_id      INTEGER NOT NULL REFERENCES crosscheck_lists (id),
    row_no       INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    id_number    TEXT    NOT NULL,
    relation     TEXT    NOT NULL,
    of_name      TEXT    NOT NULL,
    village_code TEXT    REFERENCES regions (code),
    note         TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX crosscheck_entries_id ON crosscheck_entries (county_code, id_number);
CREATE INDEX crosscheck_entries_name ON crosscheck_entries (county_code, name);

-- A round: one village, one year, identification or exit. `state` is derived from its steps.
CREATE TABLE appraisal_rounds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code      TEXT    NOT NULL,
    region_code      TEXT    NOT NULL REFERENCES regions (code),
    year             INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    notice_days      INTEGER NOT NULL,
    township_percent INTEGER NOT NULL,
    county_percent   INTEGER NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'open',
    UNIQUE (region_code, year, kind)
);

-- An application: a household of the register, its head as applying, the reason and the income
-- evidence. Removal (an excluding hit, an upheld objection, a failed sample check) is set once.
CREATE TABLE appraisal_applicants (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code     TEXT    NOT NULL,
    round_id        INTEGER NOT NULL REFERENCES appraisal_rounds (id),
    household_id    INTEGER NOT NULL REFERENCES households (id),
    head_name       TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    income_evidence TEXT    NOT NULL,
    applied_on      TEXT    NOT NULL,
    actor_id        INTEGER REFERENCES users (id),
    at              INTEGER NOT NULL,
    removed_on      TEXT,
    removed_reason  TEXT,
    removed_cause   TEXT,
    removed_by      INTEGER REFERENCES users (id),
    removed_at      INTEGER,
    UNIQUE (round_id, household_id)
);

-- A cross-check hit found when applications closed, with its decision and reason (set once).
CREATE TABLE appraisal_hits (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code     TEXT    NOT NULL,
    applicant_id    INTEGER NOT NULL REFERENCES appraisal_applicants (id),
    entry_id        INTEGER NOT NULL REFERENCES crosscheck_entries (id),
    matched_by      TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    decision        TEXT,
    decision_reason TEXT,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER
);

-- The representatives' meeting's vote on an applicant: the decision item and its outcome as
-- the item has it (passed or failed; a void item does not count). The latest stands.
CREATE TABLE appraisal_votes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    applicant_id INTEGER NOT NULL REFERENCES appraisal_applicants (id),
    item_id      INTEGER NOT NULL REFERENCES meeting_items (id),
    outcome      TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    at           INTEGER NOT NULL
);

-- A seeded sample of the approved applicants (township 20 %, county 10 %): the seed, the
-- population (applicant ids) and the sample drawn (core `appraisal::sample`). The latest of a
-- level stands.
CREATE TABLE appraisal_samples (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    round_id    INTEGER NOT NULL REFERENCES appraisal_rounds (id),
    level       TEXT    NOT NULL,
    seed        TEXT    NOT NULL,
    percent     INTEGER NOT NULL,
    population  TEXT    NOT NULL,
    sample      TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);

-- The check of a sampled applicant by the township or the county.
CREATE TABLE appraisal_checks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    sample_id    INTEGER NOT NULL REFERENCES appraisal_samples (id),
    applicant_id INTEGER NOT NULL REFERENCES appraisal_applicants (id),
    passed       INTEGER NOT NULL,
    note         TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    at           INTEGER NOT NULL,
    UNIQUE (sample_id, applicant_id)
);

-- Every step of a round: who, on which day, under which document; the notice it posted.
CREATE TABLE appraisal_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    round_id    INTEGER NOT NULL REFERENCES appraisal_rounds (id),
    action      TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    notice_id   INTEGER REFERENCES notices (id),
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);

-- A change of a household's `poor` flag, caused by a round's announcement (its step).
CREATE TABLE household_status_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    poor         INTEGER NOT NULL,
    round_id     INTEGER NOT NULL REFERENCES appraisal_rounds (id),
    step_id      INTEGER NOT NULL REFERENCES appraisal_steps (id),
    at           INTEGER NOT NULL
);
CREATE INDEX household_status_changes_household ON household_status_changes (household_id);

-- The flag as registered (booked with the household); `poor` is now derived: the latest change's
-- flag, else the registered one.
ALTER TABLE households ADD COLUMN registered_poor INTEGER NOT NULL DEFAULT 0;
UPDATE households SET registered_poor = poor;
