-- Red flags (issue 20; core `flag`). A scan runs the rules of `sunledger_core::flag::RULES` over
-- one county's books and records each hit as a flag, once per (county, rule, evidence key): the
-- same hit on a later scan is the same flag. A flag keeps the evidence, the parameter values and
-- the log size it was computed at. Its handling is events; `state` and `problem_id` are derived
-- from them (`verify` replays them). Settings documents override the rules' defaults for a city
-- or a county; the latest of a region is in force.
CREATE TABLE flag_settings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    body        TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX flag_settings_region ON flag_settings (region_code, id);

-- One scan of one county: the rules run ('' = all), the day, the log size the input was read
-- at, the hits and the new flags among them.
CREATE TABLE flag_scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    rules       TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    log_size    INTEGER NOT NULL,
    hits        INTEGER NOT NULL,
    raised      INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX flag_scans_county ON flag_scans (county_code, id);

CREATE TABLE flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    region_code  TEXT    NOT NULL REFERENCES regions (code),
    rule_id      TEXT    NOT NULL,
    evidence_key TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    project_id   INTEGER REFERENCES projects (id),
    amount       INTEGER NOT NULL,
    -- The evidence as JSON (sentence in both languages, rows, figures, chart).
    evidence     TEXT    NOT NULL,
    -- The parameter values in force, `key=value` pairs.
    params       TEXT    NOT NULL,
    scan_id      INTEGER NOT NULL REFERENCES flag_scans (id),
    log_size     INTEGER NOT NULL,
    raised_on    TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'open',
    problem_id   INTEGER REFERENCES problems (id),
    UNIQUE (county_code, rule_id, evidence_key)
);
CREATE INDEX flags_queue ON flags (county_code, region_code, state);

CREATE TABLE flag_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    flag_id     INTEGER NOT NULL REFERENCES flags (id),
    action      TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    problem_id  INTEGER REFERENCES problems (id),
    on_date     TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX flag_events_flag ON flag_events (flag_id, id);
