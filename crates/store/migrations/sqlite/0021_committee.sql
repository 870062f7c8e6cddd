-- The village affairs supervision committee (村务监督委员会; issue 18, deliverable 4; core
-- `committee`). A term is elected at a village meeting with its slate; a member who leaves is a
-- new row in `committee_member_ends` (nothing is edited); a member signs the posting evidence of
-- a notice of the village. `ends_on` is derived (core `committee::term_ends`).
CREATE TABLE committee_terms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    region_code  TEXT    NOT NULL REFERENCES regions (code),
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id),
    elected_on   TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX committee_terms_region ON committee_terms (county_code, region_code, elected_on);

CREATE TABLE committee_members (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    term_id      INTEGER NOT NULL REFERENCES committee_terms (id),
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    id_number    TEXT,
    -- The member's record in the register of people (to sit on an acceptance team), if any.
    person_id    INTEGER REFERENCES people (id),
    chair        INTEGER NOT NULL,
    accounting   INTEGER NOT NULL,
    -- What the accounting skills rest on (a certificate, years as a bookkeeper).
    skills       TEXT    NOT NULL,
    started_on   TEXT    NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX committee_members_term ON committee_members (term_id, position);
CREATE INDEX committee_members_person ON committee_members (person_id);

CREATE TABLE committee_member_ends (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    member_id    INTEGER NOT NULL UNIQUE REFERENCES committee_members (id),
    ended_on     TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  INTEGER NOT NULL
);

CREATE TABLE committee_signatures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    member_id    INTEGER NOT NULL REFERENCES committee_members (id),
    posting_id   INTEGER NOT NULL REFERENCES notice_postings (id),
    signed_on    TEXT    NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  INTEGER NOT NULL,
    UNIQUE (member_id, posting_id)
);
CREATE INDEX committee_signatures_posting ON committee_signatures (posting_id, id);
