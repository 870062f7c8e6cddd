-- Project assets (issue 17, deliverable 5): registered by the county on acceptance, then
-- transferred (owner or custodian changed) or disposed of, each on a recorded decision.

-- The registration is booked as it was given; `state` and the `cur_` columns are the asset's
-- current state, derived from its events (the last transfer's owner and custodian, else the
-- registration's). `village_code` is the village whose register lists the asset (the owner's
-- village, the household's village, or for county- and township-owned assets the project's),
-- and `value_total` the sum of the split: both derived.
CREATE TABLE assets (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code          TEXT    NOT NULL,
    number               TEXT    NOT NULL UNIQUE,
    project_id           INTEGER NOT NULL REFERENCES projects (id),
    name                 TEXT    NOT NULL,
    class                TEXT    NOT NULL,
    quantity             TEXT    NOT NULL,
    unit                 TEXT    NOT NULL,
    -- `source:fen` pairs in source order, like a project's budget.
    value_split          TEXT    NOT NULL,
    value_total          INTEGER NOT NULL CHECK (value_total > 0),
    -- `holder:percent` pairs (productive assets only).
    distribution         TEXT,
    owner_level          TEXT    NOT NULL,
    owner_region         TEXT    NOT NULL REFERENCES regions (code),
    household_id         INTEGER REFERENCES households (id),
    custodian            TEXT    NOT NULL,
    custodian_person     TEXT    NOT NULL,
    registered_on        TEXT    NOT NULL,
    registered_by        INTEGER REFERENCES users (id),
    registered_at        INTEGER NOT NULL,
    state                TEXT    NOT NULL DEFAULT 'registered',
    cur_owner_level      TEXT    NOT NULL,
    cur_owner_region     TEXT    NOT NULL REFERENCES regions (code),
    cur_household_id     INTEGER REFERENCES households (id),
    cur_custodian        TEXT    NOT NULL,
    cur_custodian_person TEXT    NOT NULL,
    village_code         TEXT    NOT NULL REFERENCES regions (code)
);
CREATE INDEX assets_village ON assets (county_code, village_code, state);
CREATE INDEX assets_project ON assets (project_id, id);

-- A transfer (the new owner and custodian) or a disposal (its kind and proceeds), each with the
-- decision behind it: a meeting (date and minutes reference) or a document number, and a reason.
CREATE TABLE asset_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code      TEXT    NOT NULL,
    asset_id         INTEGER NOT NULL REFERENCES assets (id),
    action           TEXT    NOT NULL,
    from_state       TEXT    NOT NULL,
    to_state         TEXT    NOT NULL,
    owner_level      TEXT,
    owner_region     TEXT REFERENCES regions (code),
    household_id     INTEGER REFERENCES households (id),
    custodian        TEXT,
    custodian_person TEXT,
    disposal_kind    TEXT,
    proceeds         INTEGER CHECK (proceeds >= 0),
    decision_kind    TEXT    NOT NULL,
    decision_on      TEXT,
    decision_ref     TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    on_date          TEXT    NOT NULL,
    actor_id         INTEGER REFERENCES users (id),
    at               INTEGER NOT NULL
);
CREATE INDEX asset_events_asset ON asset_events (asset_id, id);
