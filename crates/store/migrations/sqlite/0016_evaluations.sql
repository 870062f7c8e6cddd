-- Book 4, performance evaluations 1-3 years on (issue 17, deliverable 6): scheduled when the
-- project is accepted (the county's `evaluation_years`, default on acceptance and at 1, 2 and 3
-- years), recorded with the actual value of every indicator of the approved version, reviewed
-- by the county poverty bureau (not by the one who recorded it), or returned to be recorded again.

-- One scheduled evaluation. `state`, `record_id`, `total`, `band` and `reviewed_on` are derived:
-- the last event's state, the latest recording and its score, the day of the review.
CREATE TABLE evaluations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    acceptance_id INTEGER NOT NULL REFERENCES acceptances (id),
    -- Years after acceptance: 0 is the evaluation on acceptance.
    year          INTEGER NOT NULL,
    due_on        TEXT    NOT NULL,
    -- The project version whose indicators are evaluated (the approved one).
    version       INTEGER NOT NULL,
    scheduled_at  INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'due',
    record_id     INTEGER,
    total         INTEGER,
    band          TEXT,
    reviewed_on   TEXT,
    UNIQUE (project_id, year)
);
CREATE INDEX evaluations_county ON evaluations (county_code, state, due_on);

-- Each recording of the actual values (a returned evaluation is recorded again: a new round).
-- `serious_problem` is what the recorder's day knew: a serious or critical Book 3 problem on the
-- project (it caps the band at 良). `total`, `band`, `capped` and `core_missed` are derived from
-- the values and the indicators (core `acceptance::score`).
CREATE TABLE evaluation_records (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code     TEXT    NOT NULL,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluations (id),
    round           INTEGER NOT NULL,
    recorded_on     TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    serious_problem INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    band            TEXT    NOT NULL,
    capped          INTEGER NOT NULL,
    core_missed     TEXT    NOT NULL,
    actor_id        INTEGER REFERENCES users (id),
    at              INTEGER NOT NULL,
    UNIQUE (evaluation_id, round)
);

-- The actual value of each indicator (by its position in the version's table), in hundredths of
-- its unit; `source` is `system` (the system knew it: `basis` says from what) or `reported`
-- (`basis` is the evidence); `reason` explains a shortfall. `points` and `met` are derived.
CREATE TABLE evaluation_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    record_id   INTEGER NOT NULL REFERENCES evaluation_records (id),
    position    INTEGER NOT NULL,
    actual      INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    basis       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    points      INTEGER NOT NULL,
    met         INTEGER NOT NULL,
    -- The recording's time (the value is booked with it).
    at          INTEGER NOT NULL,
    UNIQUE (record_id, position)
);

CREATE TABLE evaluation_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    action        TEXT    NOT NULL,
    from_state    TEXT    NOT NULL,
    to_state      TEXT    NOT NULL,
    comment       TEXT    NOT NULL,
    on_date       TEXT    NOT NULL,
    record_id     INTEGER REFERENCES evaluation_records (id),
    -- The Book 3 problem the review opened (差, or a core indicator missed).
    problem_id    INTEGER REFERENCES problems (id),
    actor_id      INTEGER REFERENCES users (id),
    at            INTEGER NOT NULL
);
CREATE INDEX evaluation_events_evaluation ON evaluation_events (evaluation_id, id);
