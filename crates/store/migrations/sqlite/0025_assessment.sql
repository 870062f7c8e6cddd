-- The annual county assessment (issue 21; core `assessment`). A city's scheme for a year is a
-- versioned JSON document. The round of a city's year goes draft -> reviewed -> published; its
-- steps are events and `state` is derived from them (`verify` replays them). A publication is a
-- snapshot: the score table, its SHA-256, the cards with their rows, and the log size they were
-- computed at. A county's appeal of a row that cost it points is decided by an event; `state`
-- is derived from it.
CREATE TABLE assessment_schemes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL,
    UNIQUE (region_code, year, version)
);

CREATE TABLE assessment_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'draft',
    UNIQUE (region_code, year)
);

CREATE TABLE assessment_publications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    round_id    INTEGER NOT NULL REFERENCES assessment_rounds (id),
    scheme_id   INTEGER NOT NULL REFERENCES assessment_schemes (id),
    as_of       INTEGER NOT NULL,
    log_size    INTEGER NOT NULL,
    score_table TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    cards       TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX assessment_publications_round ON assessment_publications (round_id, id);

CREATE TABLE assessment_round_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    round_id       INTEGER NOT NULL REFERENCES assessment_rounds (id),
    action         TEXT    NOT NULL,
    from_state     TEXT    NOT NULL,
    to_state       TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    publication_id INTEGER REFERENCES assessment_publications (id),
    actor_id       INTEGER REFERENCES users (id),
    at             INTEGER NOT NULL
);
CREATE INDEX assessment_round_events_round ON assessment_round_events (round_id, id);

CREATE TABLE assessment_appeals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    item_code   TEXT    NOT NULL,
    row_key     TEXT    NOT NULL,
    row_label   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    evidence    TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'filed'
);
CREATE INDEX assessment_appeals_county ON assessment_appeals (county_code, year, id);

CREATE TABLE assessment_appeal_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    appeal_id   INTEGER NOT NULL REFERENCES assessment_appeals (id),
    action      TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX assessment_appeal_events_appeal ON assessment_appeal_events (appeal_id, id);
