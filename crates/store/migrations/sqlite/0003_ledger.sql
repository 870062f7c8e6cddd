-- Book 1, the fund appropriation ledger. Amounts are integer fen. Entries (transfers) are never
-- updated except for their state column (payment and receipt states), whose every change is also
-- an event row and a log fact; corrections are reversing transfers.

-- Projects: the minimal record the ledger arranges money to (the project library extends it).
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions (code),
    name        TEXT    NOT NULL,
    fiscal_year INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX projects_region ON projects (county_code, region_code);

CREATE TABLE funds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code    TEXT    NOT NULL,
    region_code    TEXT    NOT NULL REFERENCES regions (code),
    source         TEXT    NOT NULL,
    fiscal_year    INTEGER NOT NULL,
    document_no    TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    detention_days INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX funds_region ON funds (county_code, region_code);

-- One account per (fund, region) and per (fund, project), with running totals kept as entries
-- are booked, so that balances and rollups never scan the entries.
CREATE TABLE ledger_accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    fund_id     INTEGER NOT NULL REFERENCES funds (id),
    owner_kind  TEXT    NOT NULL,
    -- The owner as one key: the region code, or `p<project id>`.
    owner       TEXT    NOT NULL,
    region_code TEXT    NOT NULL,
    project_id  INTEGER REFERENCES projects (id),
    credited    INTEGER NOT NULL DEFAULT 0,
    debited     INTEGER NOT NULL DEFAULT 0,
    held        INTEGER NOT NULL DEFAULT 0,
    in_transit  INTEGER NOT NULL DEFAULT 0,
    -- Appropriations from the level above whose receipt this level confirmed (dispatched =
    -- received + in_transit: the reconciliation of each level against the one above).
    received    INTEGER NOT NULL DEFAULT 0,
    CHECK (credited >= 0 AND debited >= 0 AND held >= 0 AND in_transit >= 0),
    CHECK (credited - debited - held >= 0)
);
CREATE UNIQUE INDEX ledger_accounts_owner ON ledger_accounts (fund_id, owner);
CREATE INDEX ledger_accounts_region ON ledger_accounts (county_code, region_code);

CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    client_id    TEXT    NOT NULL UNIQUE,
    content_hash TEXT    NOT NULL,
    fund_id      INTEGER NOT NULL REFERENCES funds (id),
    kind         TEXT    NOT NULL,
    from_account INTEGER REFERENCES ledger_accounts (id),
    to_account   INTEGER REFERENCES ledger_accounts (id),
    payee        TEXT,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    booked_on    TEXT    NOT NULL,
    document_no  TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    reverses     INTEGER REFERENCES transfers (id),
    state        TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX transfers_from ON transfers (from_account, id);
CREATE INDEX transfers_to ON transfers (to_account, id);
CREATE INDEX transfers_county ON transfers (county_code, booked_on);
CREATE INDEX transfers_fund ON transfers (fund_id, id);
CREATE UNIQUE INDEX transfers_one_reversal ON transfers (reverses) WHERE reverses IS NOT NULL;

-- Every change of a transfer's state (receipt confirmed; payment held, released, paid, voided).
CREATE TABLE transfer_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    document_no TEXT    NOT NULL DEFAULT '',
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
);
CREATE INDEX transfer_events_transfer ON transfer_events (transfer_id, id);

CREATE TABLE suspensions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code     TEXT    NOT NULL,
    target_kind     TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    region_code     TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    document_no     TEXT    NOT NULL,
    suspended_by    INTEGER REFERENCES users (id),
    suspended_at    INTEGER NOT NULL,
    resumed_by      INTEGER REFERENCES users (id),
    resumed_at      INTEGER,
    resume_document TEXT
);
CREATE INDEX suspensions_target ON suspensions (target_kind, target, resumed_at);
