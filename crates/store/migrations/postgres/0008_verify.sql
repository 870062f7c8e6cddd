-- `verify` covers every column (issue 14): the columns that give the time of newly booked facts,
-- and an index for matching sessions with the sign-ins that opened them.
ALTER TABLE ledger_accounts ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_set_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET password_set_at = created_at;
CREATE INDEX auth_events_user ON auth_events (user_id, at);
