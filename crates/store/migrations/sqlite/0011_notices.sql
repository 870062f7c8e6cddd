-- Public notices (issue 16): drafted, published for a window, closed; objections anyone may
-- raise without an account (to a notice, or to a project under its declaration notice), with a
-- receipt code; and the evidence that a paper notice was put up.

-- A notice's content is its fields (canonical JSON); a draft may be rewritten (each version is a
-- fact), a published notice never: a correction is a new notice pointing at it (`corrects`).
-- `source` names what the notice publishes when it answers a due (`transfer:12`, `project:5`).
-- state, published_on, window_days and content_sha256 are derived (from the events and fields).
CREATE TABLE notices (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    region_code    TEXT    NOT NULL REFERENCES regions (code),
    kind           TEXT    NOT NULL,
    fields         TEXT    NOT NULL,
    corrects       INTEGER REFERENCES notices (id),
    source         TEXT,
    state          TEXT    NOT NULL DEFAULT 'draft',
    published_on   TEXT,
    window_days    INTEGER,
    content_sha256 TEXT    NOT NULL,
    drafted_by     INTEGER REFERENCES users (id),
    drafted_at     INTEGER NOT NULL,
    -- When the draft was last written (the time of its latest fact).
    revised_at     INTEGER NOT NULL
);
CREATE INDEX notices_region ON notices (county_code, region_code, state);
CREATE INDEX notices_source ON notices (source);

CREATE TABLE notice_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    notice_id   INTEGER NOT NULL REFERENCES notices (id),
    action      TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    window_days INTEGER,
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX notice_events_notice ON notice_events (notice_id, id);

-- Objections from anyone: the subject is a notice (`notices`) or a project under its
-- declaration notice (`projects`). Name and phone are optional and never shown in public.
CREATE TABLE public_objections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code   TEXT    NOT NULL,
    receipt       TEXT    NOT NULL UNIQUE,
    subject_table TEXT    NOT NULL,
    subject_id    INTEGER NOT NULL,
    content       TEXT    NOT NULL,
    name          TEXT,
    phone         TEXT,
    received_on   TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    answer        TEXT,
    answered_by   INTEGER REFERENCES users (id),
    answered_at   INTEGER
);
CREATE INDEX public_objections_subject ON public_objections (subject_table, subject_id, id);
CREATE INDEX public_objections_county ON public_objections (county_code, answered_at);

-- A paper notice put up (where, when, by whom, a photo), confirmed by the village supervision
-- committee.
CREATE TABLE notice_postings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    notice_id    INTEGER NOT NULL REFERENCES notices (id),
    place        TEXT    NOT NULL,
    posted_on    TEXT    NOT NULL,
    posted_by    TEXT    NOT NULL,
    photo        BLOB    NOT NULL,
    photo_type   TEXT    NOT NULL,
    photo_sha256 TEXT    NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  INTEGER NOT NULL,
    confirmed_by INTEGER REFERENCES users (id),
    confirmed_at INTEGER
);
CREATE INDEX notice_postings_notice ON notice_postings (notice_id, id);
