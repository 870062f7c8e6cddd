//! Sunledger storage: one interface ([`Store`]) and two backends, embedded SQLite (the default)
//! and PostgreSQL, chosen by the database URL.
//!
//! Both backends share one body of SQL (`sql.rs`), compiled once per backend with that backend's
//! `DB` type, so the queries cannot drift apart; each backend has its own migrations folder and
//! connection setup. Every method is one transaction: a call either books everything it was given
//! or nothing.
#![deny(clippy::indexing_slicing)]

pub mod error;
pub mod log;
pub mod model;
mod postgres;
mod sqlite;

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use sunledger_core::RegionCode;
use sunledger_core::fact::Fact;
use sunledger_core::merkle::{Hash, NodeId};

pub use error::{Result, StoreError};
pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The tables whose rows are booked facts, each row checked by `sunledger verify`.
pub const FACT_TABLES: [&str; 25] = [
    "users",
    "grants",
    "account_status",
    "departments",
    "people",
    "projects",
    "funds",
    "transfers",
    "transfer_events",
    "suspensions",
    "project_versions",
    "project_events",
    "project_objections",
    "project_milestones",
    "milestone_updates",
    "project_beneficiaries",
    "responsibilities",
    "responsibility_letters",
    "households",
    "spot_draws",
    "inspections",
    "problems",
    "problem_events",
    "escalations",
    "escalation_proposals",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the store named by `url` (`sqlite:PATH` / a plain path, or `postgres://...`) and runs
/// the migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Ok(Arc::new(SqliteStore::open(path).await?))
    } else if url.contains("://") {
        Err(StoreError::Url(redact_url(url)))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

/// The URL with any password replaced by `***`, for logs and `Debug` output.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = url.get(s + 3..at).unwrap_or("");
            match creds.split_once(':') {
                Some((user, _)) => format!(
                    "{}://{user}:***@{}",
                    url.get(..s).unwrap_or(""),
                    url.get(at + 1..).unwrap_or("")
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The storage interface. Implementations: [`SqliteStore`] and [`PgStore`].
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    // --- regions ---
    /// Every stored region code with its name (for validating an import against what exists).
    async fn region_names(&self) -> Result<std::collections::HashMap<RegionCode, String>>;
    /// Inserts new regions and renames existing ones, in one transaction. Never deletes.
    async fn upsert_regions(&self, rows: &[NewRegion], now: i64) -> Result<UpsertCounts>;
    async fn region(&self, code: &RegionCode) -> Result<Option<Region>>;
    async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>>;
    /// Regions without a parent: the provinces.
    async fn region_roots(&self) -> Result<Vec<Region>>;
    async fn region_count(&self) -> Result<i64>;

    // --- departments and people ---
    async fn create_department(&self, d: &NewDepartment, now: i64) -> Result<Department>;
    /// Creates many departments in one transaction (demo and imports); returns their ids in order.
    async fn create_departments(&self, ds: &[NewDepartment], now: i64) -> Result<Vec<i64>>;
    async fn department(&self, id: i64) -> Result<Option<Department>>;
    async fn departments_in(&self, region: &RegionCode) -> Result<Vec<Department>>;
    async fn create_person(&self, p: &NewPerson, now: i64) -> Result<Person>;
    /// Creates many people in one transaction (demo and imports).
    async fn create_people(&self, ps: &[NewPerson], now: i64) -> Result<u64>;
    async fn person(&self, id: i64) -> Result<Option<Person>>;
    async fn people_in_department(&self, department_id: i64) -> Result<Vec<Person>>;

    // --- accounts and grants ---
    async fn user_count(&self) -> Result<i64>;
    /// Creates the account and records `event` in the same transaction.
    async fn create_user(&self, u: &NewUser, event: &NewAuthEvent) -> Result<User>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Accounts whose home region lies within one of `scopes`.
    async fn users_within(&self, scopes: &[RegionCode]) -> Result<Vec<User>>;
    /// Sets a new password hash, ends the account's sessions and records `event`.
    async fn set_password(&self, user_id: i64, hash: &str, event: &NewAuthEvent) -> Result<()>;
    async fn set_locale(&self, user_id: i64, locale: Option<&str>) -> Result<()>;
    async fn grants_of(&self, user_id: i64, include_revoked: bool) -> Result<Vec<GrantRow>>;
    async fn add_grant(&self, g: &NewGrant, now: i64, event: &NewAuthEvent) -> Result<GrantRow>;
    /// Marks the grant revoked (it stays in the history). `false` if it was not active.
    async fn revoke_grant(
        &self,
        grant_id: i64,
        by: Option<i64>,
        now: i64,
        event: &NewAuthEvent,
    ) -> Result<bool>;
    async fn grant(&self, grant_id: i64) -> Result<Option<GrantRow>>;

    // --- sessions ---
    /// Stores a new session; a session presented with the request (`replaces`) is deleted in the
    /// same transaction, so sign-in always rotates the token.
    async fn create_session(
        &self,
        s: &NewSession,
        replaces: Option<&str>,
        event: &NewAuthEvent,
    ) -> Result<()>;
    /// The user of a live session.
    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>>;
    async fn delete_session(&self, token_hash: &str, event: Option<&NewAuthEvent>) -> Result<()>;

    // --- record of sign-ins and access changes ---
    async fn record_auth_event(&self, e: &NewAuthEvent) -> Result<()>;
    /// Failed sign-ins since `since` for this username, and from this address.
    async fn failed_sign_ins_since(
        &self,
        username: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<(i64, i64)>;

    // --- sign-in limits, session timeouts, disabling, second factor (`sql.rs`) ---
    /// Counts one sign-in attempt under `keys` in one transaction, before its password is
    /// checked, unless a limit refuses it (then nothing is counted).
    async fn reserve_sign_in(
        &self,
        keys: &SignInKeys,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<SignInGate>;
    /// After a complete sign-in: restarts the account's backoff and gives this attempt back to
    /// the account-and-address and address windows (their failures stay counted).
    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> Result<()>;
    /// Whether `user_id` has signed in from `ip` since `since` (the address is then exempt from
    /// the account's backoff).
    async fn signed_in_from(&self, user_id: i64, ip: &str, since: i64) -> Result<bool>;
    /// Limits still holding at `now` for accounts whose home region lies in `scopes`, plus the
    /// address-only and unknown-username ones when `include_unknown`.
    async fn sign_in_limits_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<Vec<SignInLimit>>;
    async fn sign_in_limit(&self, id: i64) -> Result<Option<SignInLimit>>;
    /// Deletes the limits `ids` and records `event`; the number deleted.
    async fn clear_sign_in_limits(&self, ids: &[i64], event: &NewAuthEvent) -> Result<u64>;
    /// Like [`Store::create_session`], with where the session comes from and its stage.
    async fn create_session_with(
        &self,
        s: &NewSession,
        meta: &SessionMeta,
        replaces: Option<&str>,
        event: Option<&NewAuthEvent>,
    ) -> Result<()>;
    /// The session of `token_hash` if it is within its absolute limit and has been used within
    /// `idle_secs`, its account enabled; marks it used at `now`.
    async fn live_session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<LiveSession>>;
    /// One more wrong second-step code in this pending session; the count after it.
    async fn bump_session_tries(&self, token_hash: &str) -> Result<i64>;
    /// The account's complete sessions within their limits, newest first.
    async fn sessions_of(&self, user_id: i64, now: i64, idle_secs: i64)
    -> Result<Vec<SessionInfo>>;
    /// Ends one of the account's sessions by its public id; `false` if there is none.
    async fn end_session(
        &self,
        user_id: i64,
        public_id: &str,
        event: &NewAuthEvent,
    ) -> Result<bool>;
    /// Disables (ending every session at once) or enables the account, booking the change in
    /// the log (`account_status`); `false` if it already was so.
    async fn set_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        actor: Option<i64>,
        reason: &str,
        event: &NewAuthEvent,
    ) -> Result<bool>;
    async fn totp(&self, user_id: i64) -> Result<Option<TotpRow>>;
    /// Stores a new unconfirmed secret (replacing an unconfirmed one); `Conflict` if the account
    /// already has a confirmed one.
    async fn start_totp(&self, user_id: i64, secret: &str, now: i64) -> Result<()>;
    /// Confirms the secret (the code of `step` was right) and replaces the recovery codes.
    async fn confirm_totp(
        &self,
        user_id: i64,
        step: i64,
        recovery_hashes: &[String],
        event: &NewAuthEvent,
    ) -> Result<bool>;
    /// Uses time step `step` of the confirmed secret; `false` if it (or a later one) was used.
    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool>;
    /// Uses an unused recovery code; `false` if there is none with this hash.
    async fn use_recovery_code(&self, user_id: i64, code_hash: &str, now: i64) -> Result<bool>;
    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64>;
    /// Removes the second factor and its recovery codes; `false` if there was none.
    async fn remove_totp(&self, user_id: i64, event: &NewAuthEvent) -> Result<bool>;
    // --- Book 1: the fund appropriation ledger ---
    async fn create_project(&self, p: &NewProject, now: i64) -> Result<Project>;
    async fn project(&self, id: i64) -> Result<Option<Project>>;

    // --- The project library and Book 2, the supervision responsibility ledger ---
    /// Creates a project with its content as version 1: a draft, or declared by the village.
    async fn create_library_project(
        &self,
        c: &sunledger_core::project::Content,
        declare: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A new version of a project's content, where its stage allows editing. After approval a
    /// note is required, and the page shows the changes against the approved version.
    async fn revise_project(
        &self,
        id: i64,
        c: &sunledger_core::project::Content,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A step on the declaration path; a county approval needs the full notice and every
    /// objection answered.
    async fn project_step(
        &self,
        id: i64,
        action: sunledger_core::project::StageAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A step of an approved project's implementation status.
    async fn project_status_step(
        &self,
        id: i64,
        action: sunledger_core::project::StatusAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// Records an objection received during the project's notice.
    async fn record_objection(
        &self,
        project_id: i64,
        objector: &str,
        content: &str,
        received_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection>;
    /// Answers an objection (once).
    async fn answer_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection>;
    async fn objection(&self, id: i64) -> Result<Option<Objection>>;
    async fn add_milestone(
        &self,
        project_id: i64,
        name: &str,
        weight: i64,
        due_on: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Milestone>;
    /// A dated progress report of a milestone; returns the project with its new progress.
    async fn report_progress(
        &self,
        milestone_id: i64,
        progress: i64,
        on_date: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    async fn milestone(&self, id: i64) -> Result<Option<Milestone>>;
    async fn add_beneficiary(
        &self,
        project_id: i64,
        name: &str,
        id_number: &sunledger_core::IdNumber,
        household_size: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Beneficiary>;
    /// Names a person responsible for a project in a role from `start_on`.
    async fn assign_responsibility(
        &self,
        project_id: i64,
        person_id: i64,
        role: sunledger_core::project::ResponsibleRole,
        start_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility>;
    /// Ends a responsibility on `end_on` (once); the row stays in the ledger.
    async fn end_responsibility(
        &self,
        id: i64,
        end_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility>;
    async fn responsibility(&self, id: i64) -> Result<Option<Responsibility>>;
    async fn responsibilities(&self, f: &ResponsibilityFilter) -> Result<Vec<Responsibility>>;
    async fn file_letter(
        &self,
        l: &NewLetter,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ResponsibilityLetter>;
    async fn letter(&self, id: i64) -> Result<Option<ResponsibilityLetter>>;
    async fn letters(&self, scopes: &[RegionCode]) -> Result<Vec<ResponsibilityLetter>>;
    /// A page of the project library and the number of matching projects.
    async fn projects(
        &self,
        f: &ProjectFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Project>, i64)>;
    /// A project with its versions, events, objections, milestones, beneficiaries and Book 2.
    async fn project_record(&self, id: i64) -> Result<Option<ProjectRecord>>;
    /// Imports the projects of an existing library in one transaction: all of them or, on the
    /// first refusal (`StoreError::Batch` naming the project), none. Each is created with its
    /// content as version 1 (with `note` as the version's note) and then left a draft, declared
    /// by the village, or — for a project approved outside the system — put into the library
    /// with one event of action [`IMPORT_ACTION`] (from `draft` to `approved`, comment `note`):
    /// status `planned`, no notice and no county approval recorded, because none took place
    /// here. Other stages are refused.
    async fn import_projects(
        &self,
        items: &[ImportProject],
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Vec<Project>>;

    // --- Supervision: households, spot checks, inspections, Book 3, the escalation ladder ---
    /// Registers households (the spot checks' population), all or none; a bad row is
    /// `StoreError::Batch` with its index.
    async fn create_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64>;
    async fn households_in(&self, village: &RegionCode) -> Result<Vec<Household>>;
    async fn household(&self, id: i64) -> Result<Option<Household>>;
    /// Draws a spot-check sample for the counties below `region` from `seed` and `rules`,
    /// leaving out households already drawn in the same round, and logs it.
    async fn create_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &sunledger_core::supervision::SampleRules,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SpotDraw>;
    async fn draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>>;
    async fn create_inspection(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    /// Records that a planned inspection was done, with its findings (once).
    async fn complete_inspection(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    async fn inspection(&self, id: i64) -> Result<Option<Inspection>>;
    /// Inspections in `scopes`, newest first.
    async fn inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>>;
    /// (county code, day) of every done inspection in `scopes`, for the coverage view.
    async fn inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>>;
    async fn create_problem(&self, p: &NewProblem, actor: Option<i64>, now: i64)
    -> Result<Problem>;
    /// A lifecycle step; verifying resumes payments suspended on the problem's ladder.
    async fn problem_action(
        &self,
        id: i64,
        action: sunledger_core::supervision::ProblemAction,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem>;
    async fn problem(&self, id: i64) -> Result<Option<Problem>>;
    async fn problem_record(&self, id: i64) -> Result<Option<ProblemRecord>>;
    /// A page of Book 3, open problems first by deadline, and the number matching.
    async fn problems(
        &self,
        f: &ProblemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Problem>, i64)>;
    /// Takes a step of the escalation ladder (a suspension of payment is booked with it).
    async fn escalate(&self, e: &NewEscalation, actor: Option<i64>, now: i64)
    -> Result<Escalation>;
    async fn escalation(&self, id: i64) -> Result<Option<Escalation>>;
    /// Records a referral's outcome (once).
    async fn record_outcome(
        &self,
        id: i64,
        outcome: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation>;
    /// The steps the rules make due now, per open problem in `scopes` (nothing is written).
    async fn due_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::supervision::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<sunledger_core::supervision::Step>)>>;
    /// Records proposals for due steps not proposed before; returns the new ones.
    async fn propose_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::supervision::EscalationRule],
        now: i64,
    ) -> Result<Vec<Proposal>>;
    async fn proposal(&self, id: i64) -> Result<Option<Proposal>>;
    async fn dismiss_proposal(
        &self,
        id: i64,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Proposal>;
    /// Creates a fund and books its receipt at `f.region` (one `receive` transfer), once per
    /// client id: a retry with the same content returns the same fund, other content conflicts.
    async fn create_fund(&self, f: &NewFund, now: i64) -> Result<(Fund, Transfer)>;
    async fn fund(&self, id: i64) -> Result<Option<Fund>>;
    /// Funds with an account in `region`'s subtree.
    async fn funds_within(&self, region: &RegionCode) -> Result<Vec<Fund>>;
    /// Books a transfer, keeping the balances and the log in the same transaction. Idempotent on
    /// `client_id` (same content: the booked transfer; other content: `Conflict`).
    async fn book_transfer(&self, t: &NewTransfer, now: i64) -> Result<Transfer>;
    /// Confirms receipt of an appropriation by the lower level.
    async fn confirm_receipt(
        &self,
        transfer_id: i64,
        on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer>;
    /// Holds, releases, pays or voids an approved disbursement.
    async fn payment_action(
        &self,
        transfer_id: i64,
        action: sunledger_core::ledger::PaymentAction,
        on: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer>;
    /// Applies ledger steps in one transaction: all of them or, on the first failure
    /// (`StoreError::Batch` naming the step), none. Idempotent like the single operations.
    async fn apply_ledger_ops(&self, ops: &[LedgerOp], now: i64) -> Result<u64>;
    async fn transfer(&self, id: i64) -> Result<Option<Transfer>>;
    /// The transfers already booked under these client ids, with their state (`None` for
    /// entries without one): what an import finds already done. Unknown ids are left out.
    async fn transfer_states(
        &self,
        client_ids: &[String],
    ) -> Result<HashMap<String, Option<String>>>;
    /// A project's public notice, read on one connection (the public page's hot path).
    async fn project_notice(&self, id: i64) -> Result<Option<ProjectNotice>>;
    /// The dashboard of `region`'s subtree on day `today` (a day number, for detention).
    async fn region_summary(&self, region: &RegionCode, today: i64) -> Result<RegionSummary>;
    /// The accounts of `region`'s direct children, with their oldest unconfirmed appropriation.
    async fn reconciliation(&self, region: &RegionCode) -> Result<Vec<ReconRow>>;
    /// The dated money that arrived in an account (for detention, first in, first out).
    async fn account_credits(
        &self,
        account_id: i64,
    ) -> Result<Vec<(String, sunledger_core::money::Money)>>;
    /// Every transfer of a fund, in booking order.
    async fn transfers_of_fund(&self, fund_id: i64) -> Result<Vec<Transfer>>;
    /// The ledger of `region` (transfers touching its own or its projects' accounts, or, with
    /// `subtree`, any account below it) booked between the dates (inclusive), oldest first.
    async fn ledger_rows(
        &self,
        region: &RegionCode,
        subtree: bool,
        from: &str,
        to: &str,
    ) -> Result<Vec<LedgerRow>>;
    async fn account(&self, id: i64) -> Result<Option<Account>>;
    async fn account_of(&self, fund_id: i64, owner: Owner) -> Result<Option<Account>>;
    /// Accounts of regions and projects in `region` itself (not below).
    async fn accounts_in(&self, region: &RegionCode) -> Result<Vec<Account>>;
    /// Transfers touching any account of `region` itself, newest first.
    async fn transfers_of_region(&self, region: &RegionCode, limit: i64) -> Result<Vec<Transfer>>;
    /// Suspends payments to a project or a region subtree inside `region` (the issuing unit), or
    /// to a payee for payments booked inside `region`.
    async fn suspend(
        &self,
        target: &SuspensionTarget,
        region: &RegionCode,
        reason: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension>;
    async fn suspension(&self, id: i64) -> Result<Option<Suspension>>;
    /// Resumes payments; the suspension stays in the history.
    async fn resume(
        &self,
        suspension_id: i64,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension>;
    /// The suspensions that concern `region`'s subtree: issued inside it, or stopping payments
    /// booked inside it (whatever refuses a payment there is among them).
    async fn suspensions_within(
        &self,
        region: &RegionCode,
        active_only: bool,
    ) -> Result<Vec<Suspension>>;

    // --- the tamper-evident log (see `log`) ---
    /// Books facts that have no row of their own (bulk history, benchmarks) in one transaction.
    async fn append_facts(&self, facts: &[Fact]) -> Result<()>;
    /// Number of leaves.
    async fn log_size(&self) -> Result<u64>;
    async fn log_leaf(&self, index: u64) -> Result<Option<LogLeaf>>;
    /// Leaves from `from` in index order.
    async fn log_leaves(&self, from: u64, limit: u64) -> Result<Vec<LogLeaf>>;
    /// The leaves booked for one row, in index order.
    async fn log_leaves_of(&self, table: &str, id: i64) -> Result<Vec<LogLeaf>>;
    /// The leaves of a table's rows with `after_id < record_id <= upto_id`, ordered by record id,
    /// kind and index.
    async fn log_leaves_of_table(
        &self,
        table: &str,
        after_id: i64,
        upto_id: i64,
    ) -> Result<Vec<LogLeaf>>;
    /// Stored node hashes; ids not stored are absent from the map.
    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>>;
    /// Stored nodes of one level from `from` in index order (for `verify`).
    async fn log_nodes_page(&self, level: u32, from: u64, limit: u64) -> Result<Vec<(u64, Hash)>>;
    /// The facts that the rows of `table` with `id > after_id` say now, ordered by id (for
    /// `verify`: compared with the leaves booked when the rows were written).
    async fn facts_of_table(&self, table: &str, after_id: i64, limit: i64) -> Result<Vec<Fact>>;
    async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<()>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;

    /// Newest first. `include_unknown` adds the events that belong to no region (failed sign-ins
    /// for usernames that do not exist).
    async fn auth_events_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        limit: i64,
    ) -> Result<Vec<AuthEvent>>;
}
