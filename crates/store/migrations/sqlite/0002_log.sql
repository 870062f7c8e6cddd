-- The tamper-evident log (RFC 6962 Merkle tree) of every booked fact.
-- log_leaves: one row per fact, its canonical bytes in `data` (see sunledger_core::fact).
-- log_nodes: the hash of every perfect aligned subtree (level 0 = leaf hashes), so appends and
-- proofs never walk the whole log. log_head: the current size, locked by every append.
-- log_checkpoints: signed tree heads (C2SP tlog-checkpoint notes) with the consistency proof
-- from the previous one.
CREATE TABLE log_leaves (
    idx          INTEGER NOT NULL PRIMARY KEY,
    county_code  TEXT,
    kind         TEXT    NOT NULL,
    record_table TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    data         BLOB    NOT NULL
);
CREATE INDEX log_leaves_record ON log_leaves (record_table, record_id, kind);

CREATE TABLE log_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE log_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO log_head (id, size) VALUES (1, 0);

CREATE TABLE log_checkpoints (
    size        INTEGER NOT NULL PRIMARY KEY,
    root        BLOB    NOT NULL,
    note        TEXT    NOT NULL,
    prev_size   INTEGER,
    consistency TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
