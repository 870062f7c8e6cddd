-- Running figures per region (issue 22), kept in the same transaction as every ledger write so
-- that a dashboard reads a bounded number of rows at any level, however large the books grow.
-- Both tables are derived: `verify` re-derives them from the accounts and the transfers.

-- The money of every account in a region's subtree, by fund: `own` sums the region's own level
-- accounts, `below` the level accounts under it, `project` the project accounts in the subtree.
-- An account counts in the row of its own region and of every ancestor (the code's lineage).
CREATE TABLE region_totals (
    county_code TEXT    NOT NULL,
    region_code TEXT    NOT NULL,
    fund_id     INTEGER NOT NULL REFERENCES funds (id),
    scope       TEXT    NOT NULL,
    accounts    INTEGER NOT NULL DEFAULT 0,
    credited    INTEGER NOT NULL DEFAULT 0,
    debited     INTEGER NOT NULL DEFAULT 0,
    held        INTEGER NOT NULL DEFAULT 0,
    in_transit  INTEGER NOT NULL DEFAULT 0,
    received    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (county_code, region_code, fund_id, scope)
);

-- Detention, first in, first out: for each level account and each day money arrived in it, the
-- credits counted for detention up to and including that day (receipts, confirmed
-- appropriations on their confirmation day, arrangements and refunds in, none reversed). What is
-- detained on a day is then max(0, credits before the fund's cut-off − money out), one row per
-- account, and the oldest unspent money is the first day whose cumulative credits exceed it.
-- A write changes a row in place (no index holds `cumulative`, so PostgreSQL's updates stay on
-- the page and leave no dead index entries for a dashboard to step over).
CREATE TABLE level_credits (
    county_code TEXT    NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES ledger_accounts (id),
    day         TEXT    NOT NULL,
    cumulative  INTEGER NOT NULL,
    PRIMARY KEY (county_code, account_id, day)
);

-- A dashboard reads a subtree's level accounts (not its project accounts) and each child's
-- oldest unconfirmed appropriation by index.
CREATE INDEX ledger_accounts_level ON ledger_accounts (county_code, region_code) WHERE owner_kind = 'region';
CREATE INDEX transfers_dispatched ON transfers (to_account, booked_on) WHERE state = 'dispatched';

-- The figures of the books already kept.
INSERT INTO region_totals (county_code, region_code, fund_id, scope, accounts, credited, debited, held, in_transit, received)
SELECT substr(x.anc, 1, 6), x.anc, a.fund_id,
       CASE WHEN a.owner_kind = 'project' THEN 'project' WHEN x.anc = a.region_code THEN 'own' ELSE 'below' END,
       COUNT(*), SUM(a.credited), SUM(a.debited), SUM(a.held), SUM(a.in_transit), SUM(a.received)
FROM (SELECT DISTINCT a.id AS account, substr(a.region_code, 1, l.n) || substr('000000000000', 1, 12 - l.n) AS anc
      FROM ledger_accounts a, (SELECT 2 AS n UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l) x
JOIN ledger_accounts a ON a.id = x.account
GROUP BY x.anc, a.fund_id,
       CASE WHEN a.owner_kind = 'project' THEN 'project' WHEN x.anc = a.region_code THEN 'own' ELSE 'below' END;

INSERT INTO level_credits (county_code, account_id, day, cumulative)
SELECT c.county_code, c.account, c.day, SUM(SUM(c.amount)) OVER (PARTITION BY c.account ORDER BY c.day)
FROM (SELECT a.county_code, a.id AS account, t.amount,
             COALESCE((SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) AS day
      FROM ledger_accounts a JOIN transfers t ON t.to_account = a.id
      WHERE a.owner_kind = 'region'
        AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund')
        AND (t.kind <> 'appropriate' OR t.state = 'received')
        AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id)) c
GROUP BY c.county_code, c.account, c.day;
