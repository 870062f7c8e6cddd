-- Book 4's retention check reads a project's accounts and refunds on every payment approval.
-- Without this index SQLite scanned every transfer of the database for each payment, so the
-- ledger import slowed as the books grew (3 ms a payment at 30,000 transfers).
CREATE INDEX ledger_accounts_project ON ledger_accounts (project_id);
