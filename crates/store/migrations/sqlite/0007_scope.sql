-- no-transaction
-- Client ids are unique per county (the shard key), not across the whole database: one
-- county's retry key tells nothing about another county's, and a reused key is answered by the
-- caller's own county only. SQLite cannot drop the column's UNIQUE, so the table is rebuilt
-- (the documented procedure: foreign keys off, new table, copy, drop, rename, check).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE transfers_scoped (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code  TEXT    NOT NULL,
    client_id    TEXT    NOT NULL,
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
INSERT INTO transfers_scoped (id, county_code, client_id, content_hash, fund_id, kind, from_account, to_account,
    payee, amount, booked_on, document_no, purpose, actor_id, reverses, state, created_at)
SELECT id, county_code, client_id, content_hash, fund_id, kind, from_account, to_account,
    payee, amount, booked_on, document_no, purpose, actor_id, reverses, state, created_at FROM transfers;
DROP TABLE transfers;
ALTER TABLE transfers_scoped RENAME TO transfers;
CREATE INDEX transfers_from ON transfers (from_account, id);
CREATE INDEX transfers_to ON transfers (to_account, id);
CREATE INDEX transfers_county ON transfers (county_code, booked_on);
CREATE INDEX transfers_fund ON transfers (fund_id, id);
CREATE UNIQUE INDEX transfers_one_reversal ON transfers (reverses) WHERE reverses IS NOT NULL;
CREATE UNIQUE INDEX transfers_county_client_id ON transfers (county_code, client_id);
CREATE INDEX transfers_client ON transfers (client_id);
COMMIT;
PRAGMA foreign_keys = ON;
