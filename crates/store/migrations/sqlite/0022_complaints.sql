-- Complaints and reports from the masses (issue 19; core `complaint`). A complaint is filed by
-- anyone on the public form (no account) or taken by an official from a call, letter or visit;
-- it gets a receipt code and a PIN (kept as a hash) to look it up with. Everything after is an
-- event; nothing is edited. Derived from the events (`verify` replays them): `state`, the
-- handler (`handler_region`, `handler_unit`: the routing, then each transfer, review and
-- re-review), `merged_into`, `finding` (the latest answer's), `problem_id` (the Book 3 problem an
-- answer opened) and `published`.
CREATE TABLE complaints (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    code           TEXT    NOT NULL UNIQUE,
    pin_hash       TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    -- The region complained about (down to the village).
    region_code    TEXT    NOT NULL REFERENCES regions (code),
    project_id     INTEGER REFERENCES projects (id),
    -- A fund named, as typed (a document number, a fund's name).
    fund_text      TEXT    NOT NULL,
    -- The official or unit named, as typed, and the level of the region they serve (village,
    -- township, county; '' when none is named): the routing goes above it.
    accused_text   TEXT    NOT NULL,
    accused_region TEXT,
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    anonymous      INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    contact        TEXT    NOT NULL,
    -- The complainant agrees to the answer being published without their name.
    consent        INTEGER NOT NULL,
    received_on    TEXT    NOT NULL,
    -- The official who took it down (phone, letter, visit); none for the public form.
    intake_by      INTEGER REFERENCES users (id),
    received_at    INTEGER NOT NULL,
    handler_region TEXT    NOT NULL,
    handler_unit   TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'received',
    merged_into    INTEGER REFERENCES complaints (id),
    finding        TEXT,
    problem_id     INTEGER REFERENCES problems (id),
    published      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaints_handler ON complaints (handler_region, state);
CREATE INDEX complaints_county ON complaints (county_code, received_on);

-- Each step: who took it (an account, or the complainant with the code and PIN), the text (a
-- reason, an answer), the finding of an answer, the new handler of a transfer or review, the
-- complaint a duplicate was merged into, the problem an answer opened.
CREATE TABLE complaint_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    complaint_id   INTEGER NOT NULL REFERENCES complaints (id),
    action         TEXT    NOT NULL,
    from_state     TEXT    NOT NULL,
    to_state       TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    finding        TEXT,
    handler_region TEXT,
    handler_unit   TEXT,
    merged_into    INTEGER REFERENCES complaints (id),
    problem_id     INTEGER REFERENCES problems (id),
    on_date        TEXT    NOT NULL,
    by_complainant INTEGER NOT NULL,
    actor_id       INTEGER REFERENCES users (id),
    at             INTEGER NOT NULL
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);

-- Photos and files the complainant attached (type read from the bytes; size limited).
CREATE TABLE complaint_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    mime         TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    at           INTEGER NOT NULL,
    UNIQUE (complaint_id, position)
);

-- An answered complaint published on the public portal without the complainant: on their
-- consent, or on the unit's decision (with its reason); what was found and what was done.
CREATE TABLE complaint_publications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    complaint_id INTEGER NOT NULL UNIQUE REFERENCES complaints (id),
    basis        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    found        TEXT    NOT NULL,
    done         TEXT    NOT NULL,
    published_on TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    at           INTEGER NOT NULL
);
