-- Citus distribution of Sunledger's schema, for the national deployment (about 3,000 counties,
-- 300 million transfers a year). The design, the numbers behind it and what the application must
-- change first are in docs/CITUS.md; read it before running this.
--
-- NOT RUN IN CI, NOR ANYWHERE YET. Citus cannot be installed in this project's build environment,
-- so this script has never been executed; it is written against the documented behaviour of
-- Citus 11.2 and later (identity columns on distributed tables need 11.2; two-phase commit of
-- every multi-node write, tenant isolation and non-blocking shard moves are in the open-source
-- edition from 11.0). Expect to fix details on the first real run.
--
-- Run it once, with psql, on the Citus coordinator:
--   * after every migration in ../postgres/ has run there (0001-0026; the application runs them,
--     or `sunledger init`), and before any data is loaded;
--   * with the worker nodes already added (citus_add_node) and the coordinator registered in the
--     metadata (citus_set_coordinator_host): foreign keys between reference tables and
--     coordinator-local tables (step 5) need it;
--   * not inside one transaction (create_distributed_table copies and locks table by table).
-- Later migrations (0027 on) run on the coordinator as usual: Citus propagates ALTER TABLE,
-- CREATE INDEX and new constraints on distributed and reference tables to their shards, but a new
-- table is local until a line is added here for it (and a new unique constraint or foreign key on
-- a distributed table must include county_code).
--
-- Every table of the PostgreSQL migrations is named below in one of three classes:
--   REFERENCE   small, read everywhere, written rarely: one shard, copied to every node; any
--               table may hold a foreign key to it. Each write is a two-phase commit to all nodes.
--   DISTRIBUTED hash-distributed by county_code (the first six digits of the row's region code;
--               a city's own rows carry its padded code, e.g. 522300, a province's 520000), all in
--               one co-location group of 128 shards anchored on `projects`, so that every row of
--               one county, in every table, lives on the same node and joins on county_code stay
--               on that node. Primary keys and unique constraints must include county_code;
--               foreign keys between distributed tables must too, and the ones that can cross
--               counties are dropped.
--   LOCAL       stays a plain table on the coordinator (the present single Merkle log and the
--               sign-in machinery).
--
-- Steps: 1 drop every foreign key; 2 reference tables; 3 local tables (nothing to do); 4
-- distributed tables, table by table, in migration order, with their key changes; 5 foreign keys
-- again, as Citus allows them; 6 a look at the result. Appendix: the per-county log that
-- docs/CITUS.md recommends, commented out (the application does not implement it yet).

\set ON_ERROR_STOP on

-- ---------------------------------------------------------------------------------------------
-- Step 1. Drop every foreign key.
--
-- Citus refuses to distribute a table whose foreign key points at a table not yet distributed,
-- and a foreign key between a plain table and a reference table turns the plain table into a
-- coordinator-local Citus table as a side effect. Dropping them all first makes the order of
-- steps 2 and 4 irrelevant; step 5 re-creates every one that Citus can enforce, table by table,
-- and says why each of the others is gone.
-- ---------------------------------------------------------------------------------------------

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conrelid::regclass AS tbl, c.conname
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        ORDER BY c.conrelid::regclass::text, c.conname
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Step 2. Reference tables (10).
-- Their primary keys and unique constraints stay as they are: a reference table has one shard,
-- so uniqueness is still checked across the whole country.
-- ---------------------------------------------------------------------------------------------

-- regions: the region tree (about 700,000 rows at national scale: provinces to villages). Every
-- page names places, every subtree is a code range, `regions LIKE` is the portal's place search.
SELECT create_reference_table('regions');

-- departments, people: the register of units and officials (a few million rows). Problems,
-- acceptance teams, responsibility letters and committee members name them, users.person_id
-- points at people (and a reference table cannot hold a foreign key to a distributed one), and
-- lists join their names. departments.credit_code and (region_code, name) stay unique nationally.
SELECT create_reference_table('departments');
SELECT create_reference_table('people');

-- users, grants, account_status: accounts, their roles and their disabling. Read on every
-- request (the session's account and its active grants, by user id, whatever the county), and
-- named by the *_by / actor_id column of nearly every table. username stays unique nationally,
-- and so does grants_active (one active grant of a role on a region per account).
SELECT create_reference_table('users');
SELECT create_reference_table('grants');
SELECT create_reference_table('account_status');

-- funds: a fund is created at one region but has accounts at every level it is appropriated to
-- (a city's fund has ledger_accounts rows in each of its counties), so ledger_accounts.fund_id,
-- transfers.fund_id and region_totals.fund_id would cross shards if funds were distributed; the
-- dashboards join funds for detention days and the portal searches fund document numbers.
-- Funds are few (appropriation documents) and written rarely.
SELECT create_reference_table('funds');

-- acceptance_rules, flag_settings, assessment_schemes: rules and settings, read across counties
-- (a county's red-flag scan reads its city's settings; a city's assessment scheme scores every
-- county of the city; the overdue lists join every county's acceptance rules). One row (or a few
-- versions) per county or city and year.
SELECT create_reference_table('acceptance_rules');
SELECT create_reference_table('flag_settings');
SELECT create_reference_table('assessment_schemes');

-- ---------------------------------------------------------------------------------------------
-- Step 3. Local tables on the coordinator (9, and sqlx's _sqlx_migrations): nothing to run.
--
-- log_leaves, log_nodes, log_head, log_checkpoints: the present code keeps ONE Merkle log whose
--   head row (log_head, id = 1) every append locks; it can only live on one node. This is option
--   (b) of docs/CITUS.md: every booking becomes a two-node transaction (its shard and the
--   coordinator) and the log's append point caps the country's write rate. The recommended
--   per-county log (option a) distributes these tables with the rest; its DDL is in the appendix.
-- sessions, sign_in_limits, user_totp, recovery_codes: the sign-in path. Looked up by token
--   digest, key, or account, never by county (sessions and sign_in_limits have no county to
--   distribute by), written on every request or attempt: as reference tables each write would be
--   a two-phase commit to every node. Step 5 re-creates the foreign keys of sessions, user_totp
--   and recovery_codes to users (a reference table), which makes Citus add these three to its
--   metadata as coordinator-local tables.
-- auth_events: the sign-in record, written in the same transaction as sessions and
--   sign_in_limits and counted by username and address across counties on every attempt; its
--   county_code is NULL for attempts on unknown accounts (a distribution column cannot be NULL).
--   It grows (every sign-in is a row and a booked fact): see docs/CITUS.md for its size.
-- _sqlx_migrations: the migrator's own table.
-- ---------------------------------------------------------------------------------------------

-- ---------------------------------------------------------------------------------------------
-- Step 4. Distributed tables (72), by county_code, one co-location group.
--
-- For each: the primary key (id) becomes (county_code, id), and every unique constraint gains
-- county_code. Ids still come from each table's identity sequence, so they stay unique across
-- the country in practice (the log names records by table and id), but only (county_code, id)
-- is enforced. Foreign keys are re-created in step 5.
-- ---------------------------------------------------------------------------------------------

-- 0003_ledger ----------------------------------------------------------------------------------

-- projects: the anchor of the co-location group. 128 shards: about 3,400 shard keys (3,000
-- counties, about 330 cities' own keys, 31 provinces') give about 27 keys a shard, within the
-- 32-128 shards Citus advises for this kind of workload (citus.shard_count defaults to 32), and
-- room for 128 workers. shard_count can only be given with colocate_with => 'none'.
ALTER TABLE projects DROP CONSTRAINT projects_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('projects', 'county_code', colocate_with => 'none', shard_count => 128);

-- ledger_accounts: one account per (fund, owner), with running totals. An account lives in its
-- own region's county; a city fund's accounts are spread over the city's counties.
-- ledger_accounts_owner (fund_id, owner) -> (county_code, fund_id, owner): the owner (a region
-- code or a project) determines the county, so this is no weaker. The booking path's
-- `ON CONFLICT (fund_id, owner)` must name the new columns.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_pkey, ADD PRIMARY KEY (county_code, id);
DROP INDEX ledger_accounts_owner;
CREATE UNIQUE INDEX ledger_accounts_owner ON ledger_accounts (county_code, fund_id, owner);
SELECT create_distributed_table('ledger_accounts', 'county_code', colocate_with => 'projects');

-- transfers: Book 1's entries, the biggest table (300 million rows a year). Client ids are
-- already unique per county (0007). A reversal is booked in its original's county, so
-- transfers_one_reversal keeps its meaning with county_code in front.
ALTER TABLE transfers DROP CONSTRAINT transfers_pkey, ADD PRIMARY KEY (county_code, id);
DROP INDEX transfers_one_reversal;
CREATE UNIQUE INDEX transfers_one_reversal ON transfers (county_code, reverses) WHERE reverses IS NOT NULL;
SELECT create_distributed_table('transfers', 'county_code', colocate_with => 'projects');

-- transfer_events: every state change of a transfer. Today a receipt confirmation is written
-- under the receiving account's county, which for a city-to-county appropriation is not the
-- transfer's (see step 5 and docs/CITUS.md, "Cross-county facts").
ALTER TABLE transfer_events DROP CONSTRAINT transfer_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('transfer_events', 'county_code', colocate_with => 'projects');

-- suspensions: suspensions of payment to a project, a region or a payee, in the region's county.
ALTER TABLE suspensions DROP CONSTRAINT suspensions_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('suspensions', 'county_code', colocate_with => 'projects');

-- 0004_projects --------------------------------------------------------------------------------

-- project_versions .. project_beneficiaries, responsibilities: a project's rows, in the
-- project's county (verify checks each row's county against its project's).
ALTER TABLE project_versions DROP CONSTRAINT project_versions_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE project_versions DROP CONSTRAINT project_versions_project_id_version_key,
    ADD UNIQUE (county_code, project_id, version);
SELECT create_distributed_table('project_versions', 'county_code', colocate_with => 'projects');

ALTER TABLE project_events DROP CONSTRAINT project_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('project_events', 'county_code', colocate_with => 'projects');

ALTER TABLE project_objections DROP CONSTRAINT project_objections_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('project_objections', 'county_code', colocate_with => 'projects');

ALTER TABLE project_milestones DROP CONSTRAINT project_milestones_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('project_milestones', 'county_code', colocate_with => 'projects');

ALTER TABLE milestone_updates DROP CONSTRAINT milestone_updates_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('milestone_updates', 'county_code', colocate_with => 'projects');

ALTER TABLE project_beneficiaries DROP CONSTRAINT project_beneficiaries_pkey, ADD PRIMARY KEY (county_code, id);
DROP INDEX project_beneficiaries_id_number;
CREATE UNIQUE INDEX project_beneficiaries_id_number ON project_beneficiaries (county_code, project_id, id_number);
SELECT create_distributed_table('project_beneficiaries', 'county_code', colocate_with => 'projects');

ALTER TABLE responsibilities DROP CONSTRAINT responsibilities_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('responsibilities', 'county_code', colocate_with => 'projects');

-- responsibility_letters: between the county bureau and a township. Its unique document number
-- is already per county.
ALTER TABLE responsibility_letters DROP CONSTRAINT responsibility_letters_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('responsibility_letters', 'county_code', colocate_with => 'projects');

-- 0005_supervision -----------------------------------------------------------------------------

-- households: the register (tens of millions of rows). households.id_number was unique across
-- the whole database; it can only be unique per county now: the same resident ID registered in
-- two counties is no longer refused by the database (docs/CITUS.md says how to keep it).
ALTER TABLE households DROP CONSTRAINT households_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE households DROP CONSTRAINT households_id_number_key, ADD UNIQUE (county_code, id_number);
SELECT create_distributed_table('households', 'county_code', colocate_with => 'projects');

-- spot_draws: in the drawing unit's county (a city's draw is on the city's key and reads the
-- households of all its counties).
ALTER TABLE spot_draws DROP CONSTRAINT spot_draws_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('spot_draws', 'county_code', colocate_with => 'projects');

-- inspections: in the inspected region's county; may cite a draw of a region above it.
ALTER TABLE inspections DROP CONSTRAINT inspections_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('inspections', 'county_code', colocate_with => 'projects');

-- problems (Book 3) and their events, ladder steps and proposals. Creating a problem already
-- refuses a department, project, inspection or reviewed problem of another county.
ALTER TABLE problems DROP CONSTRAINT problems_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('problems', 'county_code', colocate_with => 'projects');

ALTER TABLE problem_events DROP CONSTRAINT problem_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('problem_events', 'county_code', colocate_with => 'projects');

-- escalations: escalations_document_no is already (county_code, document_no).
ALTER TABLE escalations DROP CONSTRAINT escalations_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('escalations', 'county_code', colocate_with => 'projects');

ALTER TABLE escalation_proposals DROP CONSTRAINT escalation_proposals_pkey, ADD PRIMARY KEY (county_code, id);
DROP INDEX escalation_proposals_step;
CREATE UNIQUE INDEX escalation_proposals_step ON escalation_proposals (county_code, problem_id, step);
SELECT create_distributed_table('escalation_proposals', 'county_code', colocate_with => 'projects');

-- 0011_notices ---------------------------------------------------------------------------------

-- notices and their events and postings (postings hold photos: BYTEA).
ALTER TABLE notices DROP CONSTRAINT notices_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('notices', 'county_code', colocate_with => 'projects');

ALTER TABLE notice_events DROP CONSTRAINT notice_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('notice_events', 'county_code', colocate_with => 'projects');

-- public_objections: receipt was unique nationally; now per county. Receipts are 50 random bits
-- with no county in them, so a public look-up by receipt alone asks every shard.
ALTER TABLE public_objections DROP CONSTRAINT public_objections_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE public_objections DROP CONSTRAINT public_objections_receipt_key, ADD UNIQUE (county_code, receipt);
SELECT create_distributed_table('public_objections', 'county_code', colocate_with => 'projects');

ALTER TABLE notice_postings DROP CONSTRAINT notice_postings_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('notice_postings', 'county_code', colocate_with => 'projects');

-- 0012_acceptance (acceptance_rules is a reference table, step 2) -------------------------------

ALTER TABLE acceptances DROP CONSTRAINT acceptances_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE acceptances DROP CONSTRAINT acceptances_project_id_key, ADD UNIQUE (county_code, project_id);
SELECT create_distributed_table('acceptances', 'county_code', colocate_with => 'projects');

ALTER TABLE acceptance_events DROP CONSTRAINT acceptance_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('acceptance_events', 'county_code', colocate_with => 'projects');

ALTER TABLE acceptance_members DROP CONSTRAINT acceptance_members_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE acceptance_members DROP CONSTRAINT acceptance_members_acceptance_id_user_id_key,
    ADD UNIQUE (county_code, acceptance_id, user_id);
SELECT create_distributed_table('acceptance_members', 'county_code', colocate_with => 'projects');

ALTER TABLE acceptance_inspections DROP CONSTRAINT acceptance_inspections_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE acceptance_inspections DROP CONSTRAINT acceptance_inspections_acceptance_id_round_key,
    ADD UNIQUE (county_code, acceptance_id, round);
SELECT create_distributed_table('acceptance_inspections', 'county_code', colocate_with => 'projects');

ALTER TABLE acceptance_signoffs DROP CONSTRAINT acceptance_signoffs_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('acceptance_signoffs', 'county_code', colocate_with => 'projects');

-- 0013_indicators ------------------------------------------------------------------------------

ALTER TABLE project_indicators DROP CONSTRAINT project_indicators_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE project_indicators DROP CONSTRAINT project_indicators_project_id_version_position_key,
    ADD UNIQUE (county_code, project_id, version, position);
SELECT create_distributed_table('project_indicators', 'county_code', colocate_with => 'projects');

-- 0015_assets ----------------------------------------------------------------------------------

-- assets: number was unique nationally; it is made from the county code, the year and a
-- sequence (core asset::number), so (county_code, number) loses nothing, and a look-up by number
-- can route on its first six digits.
ALTER TABLE assets DROP CONSTRAINT assets_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE assets DROP CONSTRAINT assets_number_key, ADD UNIQUE (county_code, number);
SELECT create_distributed_table('assets', 'county_code', colocate_with => 'projects');

ALTER TABLE asset_events DROP CONSTRAINT asset_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('asset_events', 'county_code', colocate_with => 'projects');

-- 0016_evaluations -----------------------------------------------------------------------------

ALTER TABLE evaluations DROP CONSTRAINT evaluations_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE evaluations DROP CONSTRAINT evaluations_project_id_year_key, ADD UNIQUE (county_code, project_id, year);
SELECT create_distributed_table('evaluations', 'county_code', colocate_with => 'projects');

ALTER TABLE evaluation_records DROP CONSTRAINT evaluation_records_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE evaluation_records DROP CONSTRAINT evaluation_records_evaluation_id_round_key,
    ADD UNIQUE (county_code, evaluation_id, round);
SELECT create_distributed_table('evaluation_records', 'county_code', colocate_with => 'projects');

ALTER TABLE evaluation_values DROP CONSTRAINT evaluation_values_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE evaluation_values DROP CONSTRAINT evaluation_values_record_id_position_key,
    ADD UNIQUE (county_code, record_id, position);
SELECT create_distributed_table('evaluation_values', 'county_code', colocate_with => 'projects');

ALTER TABLE evaluation_events DROP CONSTRAINT evaluation_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('evaluation_events', 'county_code', colocate_with => 'projects');

-- 0017_overdue_proposals -----------------------------------------------------------------------

ALTER TABLE overdue_proposals DROP CONSTRAINT overdue_proposals_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE overdue_proposals DROP CONSTRAINT overdue_proposals_source_source_id_step_key,
    ADD UNIQUE (county_code, source, source_id, step);
SELECT create_distributed_table('overdue_proposals', 'county_code', colocate_with => 'projects');

-- 0018_meetings, 0019 --------------------------------------------------------------------------

-- meetings of a village and everything recorded at them, in the village's county.
ALTER TABLE meetings DROP CONSTRAINT meetings_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('meetings', 'county_code', colocate_with => 'projects');

ALTER TABLE meeting_roster DROP CONSTRAINT meeting_roster_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE meeting_roster DROP CONSTRAINT meeting_roster_meeting_id_position_key,
    ADD UNIQUE (county_code, meeting_id, position);
SELECT create_distributed_table('meeting_roster', 'county_code', colocate_with => 'projects');

ALTER TABLE meeting_attendance DROP CONSTRAINT meeting_attendance_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('meeting_attendance', 'county_code', colocate_with => 'projects');

ALTER TABLE meeting_items DROP CONSTRAINT meeting_items_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE meeting_items DROP CONSTRAINT meeting_items_meeting_id_position_key,
    ADD UNIQUE (county_code, meeting_id, position);
SELECT create_distributed_table('meeting_items', 'county_code', colocate_with => 'projects');

ALTER TABLE meeting_minutes DROP CONSTRAINT meeting_minutes_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('meeting_minutes', 'county_code', colocate_with => 'projects');

ALTER TABLE meeting_confirmations DROP CONSTRAINT meeting_confirmations_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('meeting_confirmations', 'county_code', colocate_with => 'projects');

-- meeting_ballots: named votes, never public.
ALTER TABLE meeting_ballots DROP CONSTRAINT meeting_ballots_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE meeting_ballots DROP CONSTRAINT meeting_ballots_item_id_roster_id_key,
    ADD UNIQUE (county_code, item_id, roster_id);
SELECT create_distributed_table('meeting_ballots', 'county_code', colocate_with => 'projects');

-- 0020_appraisal -------------------------------------------------------------------------------

-- crosscheck_lists / crosscheck_entries: lists are imported for a county or a region below it
-- (never a city or province), and matched within the county.
ALTER TABLE crosscheck_lists DROP CONSTRAINT crosscheck_lists_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('crosscheck_lists', 'county_code', colocate_with => 'projects');

ALTER TABLE crosscheck_entries DROP CONSTRAINT crosscheck_entries_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('crosscheck_entries', 'county_code', colocate_with => 'projects');

-- appraisal_rounds: one village, year and kind; the village fixes the county.
ALTER TABLE appraisal_rounds DROP CONSTRAINT appraisal_rounds_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE appraisal_rounds DROP CONSTRAINT appraisal_rounds_region_code_year_kind_key,
    ADD UNIQUE (county_code, region_code, year, kind);
SELECT create_distributed_table('appraisal_rounds', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_applicants DROP CONSTRAINT appraisal_applicants_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE appraisal_applicants DROP CONSTRAINT appraisal_applicants_round_id_household_id_key,
    ADD UNIQUE (county_code, round_id, household_id);
SELECT create_distributed_table('appraisal_applicants', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_hits DROP CONSTRAINT appraisal_hits_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('appraisal_hits', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_votes DROP CONSTRAINT appraisal_votes_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('appraisal_votes', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_samples DROP CONSTRAINT appraisal_samples_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('appraisal_samples', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_checks DROP CONSTRAINT appraisal_checks_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE appraisal_checks DROP CONSTRAINT appraisal_checks_sample_id_applicant_id_key,
    ADD UNIQUE (county_code, sample_id, applicant_id);
SELECT create_distributed_table('appraisal_checks', 'county_code', colocate_with => 'projects');

ALTER TABLE appraisal_steps DROP CONSTRAINT appraisal_steps_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('appraisal_steps', 'county_code', colocate_with => 'projects');

ALTER TABLE household_status_changes DROP CONSTRAINT household_status_changes_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('household_status_changes', 'county_code', colocate_with => 'projects');

-- 0021_committee -------------------------------------------------------------------------------

ALTER TABLE committee_terms DROP CONSTRAINT committee_terms_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('committee_terms', 'county_code', colocate_with => 'projects');

ALTER TABLE committee_members DROP CONSTRAINT committee_members_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('committee_members', 'county_code', colocate_with => 'projects');

ALTER TABLE committee_member_ends DROP CONSTRAINT committee_member_ends_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE committee_member_ends DROP CONSTRAINT committee_member_ends_member_id_key,
    ADD UNIQUE (county_code, member_id);
SELECT create_distributed_table('committee_member_ends', 'county_code', colocate_with => 'projects');

ALTER TABLE committee_signatures DROP CONSTRAINT committee_signatures_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE committee_signatures DROP CONSTRAINT committee_signatures_member_id_posting_id_key,
    ADD UNIQUE (county_code, member_id, posting_id);
SELECT create_distributed_table('committee_signatures', 'county_code', colocate_with => 'projects');

-- 0022_complaints ------------------------------------------------------------------------------

-- complaints: in the county of the region complained about (a complaint about a city is on the
-- city's key). code was unique nationally; now per county. Codes are `SL-<year>-` and 40 random
-- bits, with no county in them: at a million complaints a year the chance that two counties draw
-- the same code in one year is about one in three, and a look-up by code asks every shard
-- (docs/CITUS.md).
ALTER TABLE complaints DROP CONSTRAINT complaints_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE complaints DROP CONSTRAINT complaints_code_key, ADD UNIQUE (county_code, code);
SELECT create_distributed_table('complaints', 'county_code', colocate_with => 'projects');

ALTER TABLE complaint_events DROP CONSTRAINT complaint_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('complaint_events', 'county_code', colocate_with => 'projects');

ALTER TABLE complaint_files DROP CONSTRAINT complaint_files_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE complaint_files DROP CONSTRAINT complaint_files_complaint_id_position_key,
    ADD UNIQUE (county_code, complaint_id, position);
SELECT create_distributed_table('complaint_files', 'county_code', colocate_with => 'projects');

ALTER TABLE complaint_publications DROP CONSTRAINT complaint_publications_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE complaint_publications DROP CONSTRAINT complaint_publications_complaint_id_key,
    ADD UNIQUE (county_code, complaint_id);
SELECT create_distributed_table('complaint_publications', 'county_code', colocate_with => 'projects');

-- 0023_flags (flag_settings is a reference table, step 2) --------------------------------------

-- flag_scans, flags, flag_events: a scan reads one county's books and raises that county's
-- flags; flags' unique key is already (county_code, rule_id, evidence_key).
ALTER TABLE flag_scans DROP CONSTRAINT flag_scans_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('flag_scans', 'county_code', colocate_with => 'projects');

ALTER TABLE flags DROP CONSTRAINT flags_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('flags', 'county_code', colocate_with => 'projects');

ALTER TABLE flag_events DROP CONSTRAINT flag_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('flag_events', 'county_code', colocate_with => 'projects');

-- 0025_assessment (assessment_schemes is a reference table, step 2) ----------------------------

-- assessment_rounds and publications: a city's, on the city's key (one row a year; the
-- publication's snapshot is large text). Appeals: a county's, on the county's key.
ALTER TABLE assessment_rounds DROP CONSTRAINT assessment_rounds_pkey, ADD PRIMARY KEY (county_code, id);
ALTER TABLE assessment_rounds DROP CONSTRAINT assessment_rounds_region_code_year_key,
    ADD UNIQUE (county_code, region_code, year);
SELECT create_distributed_table('assessment_rounds', 'county_code', colocate_with => 'projects');

ALTER TABLE assessment_publications DROP CONSTRAINT assessment_publications_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('assessment_publications', 'county_code', colocate_with => 'projects');

ALTER TABLE assessment_round_events DROP CONSTRAINT assessment_round_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('assessment_round_events', 'county_code', colocate_with => 'projects');

ALTER TABLE assessment_appeals DROP CONSTRAINT assessment_appeals_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('assessment_appeals', 'county_code', colocate_with => 'projects');

ALTER TABLE assessment_appeal_events DROP CONSTRAINT assessment_appeal_events_pkey, ADD PRIMARY KEY (county_code, id);
SELECT create_distributed_table('assessment_appeal_events', 'county_code', colocate_with => 'projects');

-- 0026_region_figures --------------------------------------------------------------------------

-- region_totals: primary key (county_code, region_code, fund_id, scope) already includes the
-- distribution column. As the booking code fills it today, the row of each ANCESTOR carries the
-- ancestor's own code (a payment in county 522327 updates rows under 522327, 522300 and 520000),
-- so every ledger write would touch three shard keys and every county of a province would update
-- the province's rows. docs/CITUS.md ("Cross-county facts") proposes keying every row by the
-- county of the account instead; the table's shape does not change.
SELECT create_distributed_table('region_totals', 'county_code', colocate_with => 'projects');

-- level_credits: each level account's cumulative credits by day, in the account's county.
SELECT create_distributed_table('level_credits', 'county_code', colocate_with => 'projects');

-- ---------------------------------------------------------------------------------------------
-- Step 5. Foreign keys, as Citus allows them.
--
-- Citus enforces a foreign key between two local tables, two reference tables, a reference and a
-- local table, a distributed table and a reference table (in that direction only), and two
-- co-located distributed tables when the key includes the distribution column. So:
--   * to a reference table: re-created as it was;
--   * between distributed tables: re-created as (county_code, x_id) -> (county_code, id) where
--     the child and its parent are always in the same county (verify checks a child's county
--     against its parent's, or the writing code refuses another county's parent);
--   * dropped where the two rows can be in different counties (each says why). The writing code
--     reads every row these columns name before it writes, as it does today; what is lost is the
--     database's own check.
-- One ALTER TABLE per constraint: Citus refuses ADD CONSTRAINT with other subcommands.
-- ---------------------------------------------------------------------------------------------

-- departments
ALTER TABLE departments ADD FOREIGN KEY (region_code) REFERENCES regions (code);

-- people
ALTER TABLE people ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE people ADD FOREIGN KEY (department_id) REFERENCES departments (id);

-- users
ALTER TABLE users ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE users ADD FOREIGN KEY (person_id) REFERENCES people (id);

-- grants
ALTER TABLE grants ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE grants ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE grants ADD FOREIGN KEY (granted_by) REFERENCES users (id);
ALTER TABLE grants ADD FOREIGN KEY (revoked_by) REFERENCES users (id);

-- sessions (local; Citus adds it to its metadata as a coordinator-local table)
ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users (id);

-- projects
ALTER TABLE projects ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE projects ADD FOREIGN KEY (created_by) REFERENCES users (id);

-- funds
ALTER TABLE funds ADD FOREIGN KEY (region_code) REFERENCES regions (code);

-- ledger_accounts
ALTER TABLE ledger_accounts ADD FOREIGN KEY (fund_id) REFERENCES funds (id);
ALTER TABLE ledger_accounts ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);

-- transfers
ALTER TABLE transfers ADD FOREIGN KEY (fund_id) REFERENCES funds (id);
-- dropped: transfers.from_account -> ledger_accounts. A transfer between two shard keys (a
--   city's appropriation to a county, a province's to a city, a county's refund to its city, and
--   the reversal of any of them) debits an account of one county and credits one of another.
-- dropped: transfers.to_account -> ledger_accounts, for the same reason. Booking each transfer on
--   its credited account's shard (docs/CITUS.md) would not bring it back: a reversal is booked
--   with its original and credits the account the original debited.
ALTER TABLE transfers ADD FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE transfers ADD FOREIGN KEY (county_code, reverses) REFERENCES transfers (county_code, id);

-- transfer_events
-- dropped: transfer_events.transfer_id -> transfers. A receipt confirmation is written under the
--   receiving account's county (ledger/booking.rs, confirm_in), the appropriation under the
--   paying side's: for a city-to-county appropriation they differ. With the booking rule of
--   docs/CITUS.md they never do, and this can be re-created:
--   ALTER TABLE transfer_events ADD FOREIGN KEY (county_code, transfer_id) REFERENCES transfers (county_code, id);
ALTER TABLE transfer_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- suspensions
ALTER TABLE suspensions ADD FOREIGN KEY (suspended_by) REFERENCES users (id);
ALTER TABLE suspensions ADD FOREIGN KEY (resumed_by) REFERENCES users (id);

-- project_versions
ALTER TABLE project_versions ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_versions ADD FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE project_versions ADD FOREIGN KEY (county_code, meeting_item_id) REFERENCES meeting_items (county_code, id);

-- project_events
ALTER TABLE project_events ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- project_objections
ALTER TABLE project_objections ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_objections ADD FOREIGN KEY (recorded_by) REFERENCES users (id);
ALTER TABLE project_objections ADD FOREIGN KEY (answered_by) REFERENCES users (id);

-- project_milestones
ALTER TABLE project_milestones ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_milestones ADD FOREIGN KEY (created_by) REFERENCES users (id);

-- milestone_updates
ALTER TABLE milestone_updates ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE milestone_updates ADD FOREIGN KEY (county_code, milestone_id) REFERENCES project_milestones (county_code, id);
ALTER TABLE milestone_updates ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- project_beneficiaries
ALTER TABLE project_beneficiaries ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_beneficiaries ADD FOREIGN KEY (added_by) REFERENCES users (id);

-- responsibilities
ALTER TABLE responsibilities ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE responsibilities ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE responsibilities ADD FOREIGN KEY (assigned_by) REFERENCES users (id);
ALTER TABLE responsibilities ADD FOREIGN KEY (ended_by) REFERENCES users (id);

-- responsibility_letters
ALTER TABLE responsibility_letters ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE responsibility_letters ADD FOREIGN KEY (bureau_person_id) REFERENCES people (id);
ALTER TABLE responsibility_letters ADD FOREIGN KEY (township_person_id) REFERENCES people (id);
ALTER TABLE responsibility_letters ADD FOREIGN KEY (filed_by) REFERENCES users (id);

-- households
ALTER TABLE households ADD FOREIGN KEY (region_code) REFERENCES regions (code);

-- spot_draws
ALTER TABLE spot_draws ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE spot_draws ADD FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE spot_draws ADD FOREIGN KEY (county_code, replaces) REFERENCES spot_draws (county_code, id);

-- inspections
ALTER TABLE inspections ADD FOREIGN KEY (region_code) REFERENCES regions (code);
-- dropped: inspections.draw_id -> spot_draws. An inspection may cite a draw of any region it
--   lies within (inspection.rs: `i.region.is_within(draw region)`): a county's inspection, a
--   city's draw.
ALTER TABLE inspections ADD FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE inspections ADD FOREIGN KEY (done_by) REFERENCES users (id);

-- problems
ALTER TABLE problems ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE problems ADD FOREIGN KEY (county_code, inspection_id) REFERENCES inspections (county_code, id);
ALTER TABLE problems ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE problems ADD FOREIGN KEY (county_code, review_of) REFERENCES problems (county_code, id);
ALTER TABLE problems ADD FOREIGN KEY (department_id) REFERENCES departments (id);
ALTER TABLE problems ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE problems ADD FOREIGN KEY (created_by) REFERENCES users (id);

-- problem_events
ALTER TABLE problem_events ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE problem_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- escalations
ALTER TABLE escalations ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE escalations ADD FOREIGN KEY (county_code, suspension_id) REFERENCES suspensions (county_code, id);
ALTER TABLE escalations ADD FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE escalations ADD FOREIGN KEY (outcome_by) REFERENCES users (id);

-- escalation_proposals
ALTER TABLE escalation_proposals ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE escalation_proposals ADD FOREIGN KEY (county_code, escalation_id) REFERENCES escalations (county_code, id);
ALTER TABLE escalation_proposals ADD FOREIGN KEY (decided_by) REFERENCES users (id);

-- account_status
ALTER TABLE account_status ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE account_status ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- user_totp (local, as sessions)
ALTER TABLE user_totp ADD FOREIGN KEY (user_id) REFERENCES users (id);

-- recovery_codes (local, as sessions)
ALTER TABLE recovery_codes ADD FOREIGN KEY (user_id) REFERENCES users (id);

-- notices
ALTER TABLE notices ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE notices ADD FOREIGN KEY (county_code, corrects) REFERENCES notices (county_code, id);
ALTER TABLE notices ADD FOREIGN KEY (drafted_by) REFERENCES users (id);

-- notice_events
ALTER TABLE notice_events ADD FOREIGN KEY (county_code, notice_id) REFERENCES notices (county_code, id);
ALTER TABLE notice_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- public_objections
ALTER TABLE public_objections ADD FOREIGN KEY (answered_by) REFERENCES users (id);

-- notice_postings
ALTER TABLE notice_postings ADD FOREIGN KEY (county_code, notice_id) REFERENCES notices (county_code, id);
ALTER TABLE notice_postings ADD FOREIGN KEY (recorded_by) REFERENCES users (id);
ALTER TABLE notice_postings ADD FOREIGN KEY (confirmed_by) REFERENCES users (id);

-- acceptance_rules
ALTER TABLE acceptance_rules ADD FOREIGN KEY (set_by) REFERENCES users (id);

-- acceptances
ALTER TABLE acceptances ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE acceptances ADD FOREIGN KEY (applied_by) REFERENCES users (id);
ALTER TABLE acceptances ADD FOREIGN KEY (county_code, notice_id) REFERENCES notices (county_code, id);

-- acceptance_events
ALTER TABLE acceptance_events ADD FOREIGN KEY (county_code, acceptance_id) REFERENCES acceptances (county_code, id);
ALTER TABLE acceptance_events ADD FOREIGN KEY (county_code, notice_id) REFERENCES notices (county_code, id);
ALTER TABLE acceptance_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- acceptance_members
ALTER TABLE acceptance_members ADD FOREIGN KEY (county_code, acceptance_id) REFERENCES acceptances (county_code, id);
ALTER TABLE acceptance_members ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE acceptance_members ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE acceptance_members ADD FOREIGN KEY (department_id) REFERENCES departments (id);
ALTER TABLE acceptance_members ADD FOREIGN KEY (added_by) REFERENCES users (id);

-- acceptance_inspections
ALTER TABLE acceptance_inspections ADD FOREIGN KEY (county_code, acceptance_id) REFERENCES acceptances (county_code, id);
ALTER TABLE acceptance_inspections ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- acceptance_signoffs
ALTER TABLE acceptance_signoffs ADD FOREIGN KEY (county_code, inspection_id) REFERENCES acceptance_inspections (county_code, id);
ALTER TABLE acceptance_signoffs ADD FOREIGN KEY (county_code, member_id) REFERENCES acceptance_members (county_code, id);

-- project_indicators
ALTER TABLE project_indicators ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE project_indicators ADD FOREIGN KEY (county_code, project_id, version) REFERENCES project_versions (county_code, project_id, version);

-- assets
ALTER TABLE assets ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE assets ADD FOREIGN KEY (owner_region) REFERENCES regions (code);
ALTER TABLE assets ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id);
ALTER TABLE assets ADD FOREIGN KEY (registered_by) REFERENCES users (id);
ALTER TABLE assets ADD FOREIGN KEY (cur_owner_region) REFERENCES regions (code);
ALTER TABLE assets ADD FOREIGN KEY (county_code, cur_household_id) REFERENCES households (county_code, id);
ALTER TABLE assets ADD FOREIGN KEY (village_code) REFERENCES regions (code);

-- asset_events
ALTER TABLE asset_events ADD FOREIGN KEY (county_code, asset_id) REFERENCES assets (county_code, id);
ALTER TABLE asset_events ADD FOREIGN KEY (owner_region) REFERENCES regions (code);
ALTER TABLE asset_events ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id);
ALTER TABLE asset_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- evaluations
ALTER TABLE evaluations ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE evaluations ADD FOREIGN KEY (county_code, acceptance_id) REFERENCES acceptances (county_code, id);

-- evaluation_records
ALTER TABLE evaluation_records ADD FOREIGN KEY (county_code, evaluation_id) REFERENCES evaluations (county_code, id);
ALTER TABLE evaluation_records ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- evaluation_values
ALTER TABLE evaluation_values ADD FOREIGN KEY (county_code, record_id) REFERENCES evaluation_records (county_code, id);

-- evaluation_events
ALTER TABLE evaluation_events ADD FOREIGN KEY (county_code, evaluation_id) REFERENCES evaluations (county_code, id);
ALTER TABLE evaluation_events ADD FOREIGN KEY (county_code, record_id) REFERENCES evaluation_records (county_code, id);
ALTER TABLE evaluation_events ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE evaluation_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- overdue_proposals
ALTER TABLE overdue_proposals ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE overdue_proposals ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE overdue_proposals ADD FOREIGN KEY (decided_by) REFERENCES users (id);

-- meetings
ALTER TABLE meetings ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE meetings ADD FOREIGN KEY (called_by) REFERENCES users (id);

-- meeting_roster
ALTER TABLE meeting_roster ADD FOREIGN KEY (county_code, meeting_id) REFERENCES meetings (county_code, id);
ALTER TABLE meeting_roster ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id);

-- meeting_attendance
ALTER TABLE meeting_attendance ADD FOREIGN KEY (county_code, roster_id) REFERENCES meeting_roster (county_code, id);
ALTER TABLE meeting_attendance ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- meeting_items
ALTER TABLE meeting_items ADD FOREIGN KEY (county_code, meeting_id) REFERENCES meetings (county_code, id);
ALTER TABLE meeting_items ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE meeting_items ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- meeting_minutes
ALTER TABLE meeting_minutes ADD FOREIGN KEY (county_code, meeting_id) REFERENCES meetings (county_code, id);
ALTER TABLE meeting_minutes ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- meeting_confirmations
ALTER TABLE meeting_confirmations ADD FOREIGN KEY (county_code, roster_id) REFERENCES meeting_roster (county_code, id);

-- meeting_ballots
ALTER TABLE meeting_ballots ADD FOREIGN KEY (county_code, item_id) REFERENCES meeting_items (county_code, id);
ALTER TABLE meeting_ballots ADD FOREIGN KEY (county_code, roster_id) REFERENCES meeting_roster (county_code, id);

-- crosscheck_lists
ALTER TABLE crosscheck_lists ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE crosscheck_lists ADD FOREIGN KEY (imported_by) REFERENCES users (id);

-- crosscheck_entries
ALTER TABLE crosscheck_entries ADD FOREIGN KEY (county_code, list_id) REFERENCES crosscheck_lists (county_code, id);
ALTER TABLE crosscheck_entries ADD FOREIGN KEY (village_code) REFERENCES regions (code);

-- appraisal_rounds
ALTER TABLE appraisal_rounds ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE appraisal_rounds ADD FOREIGN KEY (created_by) REFERENCES users (id);

-- appraisal_applicants
ALTER TABLE appraisal_applicants ADD FOREIGN KEY (county_code, round_id) REFERENCES appraisal_rounds (county_code, id);
ALTER TABLE appraisal_applicants ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id);
ALTER TABLE appraisal_applicants ADD FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE appraisal_applicants ADD FOREIGN KEY (removed_by) REFERENCES users (id);

-- appraisal_hits
ALTER TABLE appraisal_hits ADD FOREIGN KEY (county_code, applicant_id) REFERENCES appraisal_applicants (county_code, id);
ALTER TABLE appraisal_hits ADD FOREIGN KEY (county_code, entry_id) REFERENCES crosscheck_entries (county_code, id);
ALTER TABLE appraisal_hits ADD FOREIGN KEY (decided_by) REFERENCES users (id);

-- appraisal_votes
ALTER TABLE appraisal_votes ADD FOREIGN KEY (county_code, applicant_id) REFERENCES appraisal_applicants (county_code, id);
ALTER TABLE appraisal_votes ADD FOREIGN KEY (county_code, item_id) REFERENCES meeting_items (county_code, id);
ALTER TABLE appraisal_votes ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- appraisal_samples
ALTER TABLE appraisal_samples ADD FOREIGN KEY (county_code, round_id) REFERENCES appraisal_rounds (county_code, id);
ALTER TABLE appraisal_samples ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- appraisal_checks
ALTER TABLE appraisal_checks ADD FOREIGN KEY (county_code, sample_id) REFERENCES appraisal_samples (county_code, id);
ALTER TABLE appraisal_checks ADD FOREIGN KEY (county_code, applicant_id) REFERENCES appraisal_applicants (county_code, id);
ALTER TABLE appraisal_checks ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- appraisal_steps
ALTER TABLE appraisal_steps ADD FOREIGN KEY (county_code, round_id) REFERENCES appraisal_rounds (county_code, id);
ALTER TABLE appraisal_steps ADD FOREIGN KEY (county_code, notice_id) REFERENCES notices (county_code, id);
ALTER TABLE appraisal_steps ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- household_status_changes
ALTER TABLE household_status_changes ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id);
ALTER TABLE household_status_changes ADD FOREIGN KEY (county_code, round_id) REFERENCES appraisal_rounds (county_code, id);
ALTER TABLE household_status_changes ADD FOREIGN KEY (county_code, step_id) REFERENCES appraisal_steps (county_code, id);

-- committee_terms
ALTER TABLE committee_terms ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE committee_terms ADD FOREIGN KEY (county_code, meeting_id) REFERENCES meetings (county_code, id);
ALTER TABLE committee_terms ADD FOREIGN KEY (recorded_by) REFERENCES users (id);

-- committee_members
ALTER TABLE committee_members ADD FOREIGN KEY (county_code, term_id) REFERENCES committee_terms (county_code, id);
ALTER TABLE committee_members ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE committee_members ADD FOREIGN KEY (recorded_by) REFERENCES users (id);

-- committee_member_ends
ALTER TABLE committee_member_ends ADD FOREIGN KEY (county_code, member_id) REFERENCES committee_members (county_code, id);
ALTER TABLE committee_member_ends ADD FOREIGN KEY (recorded_by) REFERENCES users (id);

-- committee_signatures
ALTER TABLE committee_signatures ADD FOREIGN KEY (county_code, member_id) REFERENCES committee_members (county_code, id);
ALTER TABLE committee_signatures ADD FOREIGN KEY (county_code, posting_id) REFERENCES notice_postings (county_code, id);
ALTER TABLE committee_signatures ADD FOREIGN KEY (recorded_by) REFERENCES users (id);

-- complaints
ALTER TABLE complaints ADD FOREIGN KEY (region_code) REFERENCES regions (code);
-- dropped: complaints.project_id -> projects. The project may lie below the region complained
--   about (a complaint about a city naming a county's project).
ALTER TABLE complaints ADD FOREIGN KEY (intake_by) REFERENCES users (id);
-- dropped: complaints.merged_into -> complaints. The merge target is checked for its state, not
--   its county: a city's handler can merge a duplicate into a complaint of another county.
-- dropped: complaints.problem_id -> problems. An escalated complaint opens its Book 3 problem at
--   the handler's region (complaint/write.rs, escalate_problem), which may be the city above.

-- complaint_events
ALTER TABLE complaint_events ADD FOREIGN KEY (county_code, complaint_id) REFERENCES complaints (county_code, id);
-- dropped: complaint_events.merged_into -> complaints (as complaints.merged_into).
-- dropped: complaint_events.problem_id -> problems (as complaints.problem_id).
ALTER TABLE complaint_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- complaint_files
ALTER TABLE complaint_files ADD FOREIGN KEY (county_code, complaint_id) REFERENCES complaints (county_code, id);

-- complaint_publications
ALTER TABLE complaint_publications ADD FOREIGN KEY (county_code, complaint_id) REFERENCES complaints (county_code, id);
ALTER TABLE complaint_publications ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- flag_settings
ALTER TABLE flag_settings ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE flag_settings ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- flag_scans
ALTER TABLE flag_scans ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE flag_scans ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- flags
ALTER TABLE flags ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE flags ADD FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id);
ALTER TABLE flags ADD FOREIGN KEY (county_code, scan_id) REFERENCES flag_scans (county_code, id);
ALTER TABLE flags ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);

-- flag_events
ALTER TABLE flag_events ADD FOREIGN KEY (county_code, flag_id) REFERENCES flags (county_code, id);
ALTER TABLE flag_events ADD FOREIGN KEY (county_code, problem_id) REFERENCES problems (county_code, id);
ALTER TABLE flag_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- assessment_schemes
ALTER TABLE assessment_schemes ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE assessment_schemes ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- assessment_rounds
ALTER TABLE assessment_rounds ADD FOREIGN KEY (region_code) REFERENCES regions (code);

-- assessment_publications
ALTER TABLE assessment_publications ADD FOREIGN KEY (county_code, round_id) REFERENCES assessment_rounds (county_code, id);
ALTER TABLE assessment_publications ADD FOREIGN KEY (scheme_id) REFERENCES assessment_schemes (id);
ALTER TABLE assessment_publications ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- assessment_round_events
ALTER TABLE assessment_round_events ADD FOREIGN KEY (county_code, round_id) REFERENCES assessment_rounds (county_code, id);
ALTER TABLE assessment_round_events ADD FOREIGN KEY (county_code, publication_id) REFERENCES assessment_publications (county_code, id);
ALTER TABLE assessment_round_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- assessment_appeals
ALTER TABLE assessment_appeals ADD FOREIGN KEY (region_code) REFERENCES regions (code);
ALTER TABLE assessment_appeals ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- assessment_appeal_events
ALTER TABLE assessment_appeal_events ADD FOREIGN KEY (county_code, appeal_id) REFERENCES assessment_appeals (county_code, id);
ALTER TABLE assessment_appeal_events ADD FOREIGN KEY (actor_id) REFERENCES users (id);

-- region_totals
ALTER TABLE region_totals ADD FOREIGN KEY (fund_id) REFERENCES funds (id);

-- level_credits
ALTER TABLE level_credits ADD FOREIGN KEY (county_code, account_id) REFERENCES ledger_accounts (county_code, id);


-- ---------------------------------------------------------------------------------------------
-- Step 6. A look at the result.
-- Expect 10 reference tables, 72 distributed tables with one colocation_id and 128 shards each,
-- and possibly sessions, user_totp and recovery_codes as coordinator-local Citus tables.
-- ---------------------------------------------------------------------------------------------

SELECT table_name, citus_table_type, distribution_column, colocation_id, shard_count
FROM citus_tables
ORDER BY citus_table_type, table_name;

-- If this ran on a database that already held rows, each distributed table's rows were copied
-- to the workers but also left on the coordinator, where Citus queries do not see them and they
-- can break constraints: remove them with
--   SELECT truncate_local_data_after_distributing_table('public.<table>');

-- ---------------------------------------------------------------------------------------------
-- Appendix. The per-county log (option (a) of docs/CITUS.md, recommended). NOT to be run today:
-- the application keeps one log (log_head id = 1). It needs first a migration that gives every
-- log table a county, and log.rs appending each fact to, and proving it from, the log of its
-- row's county_code (a fact with no county, e.g. a failed sign-in on an unknown account, to a
-- log of its own, '000000'). The log tables then join the co-location group, so that a fact and
-- its leaf are written in the same single-shard transaction and move together when a county's
-- shard moves. Roughly:
--
--   ALTER TABLE log_leaves ALTER COLUMN county_code SET NOT NULL;
--   ALTER TABLE log_leaves DROP CONSTRAINT log_leaves_pkey, ADD PRIMARY KEY (county_code, idx);
--   ALTER TABLE log_nodes ADD COLUMN county_code TEXT NOT NULL;
--   ALTER TABLE log_nodes DROP CONSTRAINT log_nodes_pkey, ADD PRIMARY KEY (county_code, level, idx);
--   -- log_head: one row per county, (county_code TEXT PRIMARY KEY, size BIGINT NOT NULL),
--   --   without the CHECK (id = 1);
--   -- log_checkpoints: the county's signed heads, PRIMARY KEY (county_code, size);
--   SELECT create_distributed_table('log_leaves', 'county_code', colocate_with => 'projects');
--   SELECT create_distributed_table('log_nodes', 'county_code', colocate_with => 'projects');
--   SELECT create_distributed_table('log_head', 'county_code', colocate_with => 'projects');
--   SELECT create_distributed_table('log_checkpoints', 'county_code', colocate_with => 'projects');
--
-- and, on the coordinator (local tables), the signed rounds over all county heads:
--
--   CREATE TABLE log_rounds (
--       round BIGINT NOT NULL PRIMARY KEY,   -- 1, 2, ...
--       at    BIGINT NOT NULL,
--       logs  BIGINT NOT NULL,               -- number of county heads in the round's tree
--       root  BYTEA  NOT NULL,               -- RFC 6962 root over the heads, in county order
--       note  TEXT   NOT NULL                -- the signed note (round, root, previous note's hash)
--   );
--   CREATE TABLE log_round_heads (
--       round       BIGINT NOT NULL REFERENCES log_rounds (round),
--       county_code TEXT   NOT NULL,
--       size        BIGINT NOT NULL,
--       root        BYTEA  NOT NULL,
--       PRIMARY KEY (round, county_code)
--   );
