-- Village meetings and their votes (issue 18, deliverable 1; core `meeting`).
--
-- A meeting is called with its roster frozen (the households or the representatives or the
-- committee's members on that day), held with attendance ticked on the roster, and decides items
-- by vote. `roster_size`, `present`, `quorum_needed`, `quorum_met` and `minutes_sha256` are
-- derived (core `meeting::quorum`, SHA-256 of the minutes' canonical text).
CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    region_code    TEXT    NOT NULL REFERENCES regions (code),
    -- villagers, representatives, committee
    kind           TEXT    NOT NULL,
    -- adults, households (a villagers' meeting); members otherwise
    basis          TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    called_on      TEXT    NOT NULL,
    planned_on     TEXT    NOT NULL,
    -- Named votes where the rule requires them (stored apart, never public).
    named_votes    INTEGER NOT NULL,
    called_by      INTEGER REFERENCES users (id),
    called_at      INTEGER NOT NULL,
    held_on        TEXT,
    minutes_sha256 TEXT,
    roster_size    INTEGER NOT NULL DEFAULT 0,
    present        INTEGER NOT NULL DEFAULT 0,
    quorum_needed  INTEGER NOT NULL DEFAULT 0,
    quorum_met     INTEGER NOT NULL DEFAULT 0,
    state          TEXT    NOT NULL DEFAULT 'called'
);
CREATE INDEX meetings_region ON meetings (county_code, region_code, called_on);

-- The roster as frozen when the meeting was called: a household (its head or representative) or
-- a named member.
CREATE TABLE meeting_roster (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id),
    position     INTEGER NOT NULL,
    household_id INTEGER REFERENCES households (id),
    name         TEXT    NOT NULL,
    -- The time of the call (the line is booked with it).
    at           INTEGER NOT NULL,
    UNIQUE (meeting_id, position)
);

-- Attendance ticked on the roster (a later tick of the same line replaces the earlier one).
CREATE TABLE meeting_attendance (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    roster_id   INTEGER NOT NULL REFERENCES meeting_roster (id),
    present     INTEGER NOT NULL,
    on_date     TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);

-- Agenda items; a decision item carries its vote's tally (blank ballots are the rest of those
-- present) and, when it approves a project's declaration, the project. `outcome` is derived
-- (core `meeting::decide`: void without a quorum).
CREATE TABLE meeting_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    decision    INTEGER NOT NULL,
    project_id  INTEGER REFERENCES projects (id),
    votes_for   INTEGER,
    votes_against INTEGER,
    votes_abstain INTEGER,
    outcome     TEXT,
    -- The quorum the vote was taken under (booked with it).
    roster_size INTEGER NOT NULL,
    present     INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL,
    UNIQUE (meeting_id, position)
);

-- The minutes, each version a row (the latest stands); the hash is derived from the text.
CREATE TABLE meeting_minutes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    meeting_id     INTEGER NOT NULL REFERENCES meetings (id),
    minutes        TEXT    NOT NULL,
    minutes_sha256 TEXT    NOT NULL,
    actor_id       INTEGER REFERENCES users (id),
    at             INTEGER NOT NULL
);

-- Attendees confirm the minutes (their hash as confirmed).
CREATE TABLE meeting_confirmations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    roster_id      INTEGER NOT NULL REFERENCES meeting_roster (id),
    minutes_sha256 TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
