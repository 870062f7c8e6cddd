//! Row shapes read from and written to storage.
use serde::Serialize;
use sunledger_core::{Level, RegionCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Region {
    #[schema(value_type = String)]
    pub code: RegionCode,
    pub name: String,
    #[schema(value_type = String)]
    pub level: Level,
    #[schema(value_type = Option<String>)]
    pub parent: Option<RegionCode>,
    /// Number of direct children (filled by listing queries; 0 where not computed).
    pub children: i64,
}

/// A region to insert or rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegion {
    pub code: RegionCode,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub renamed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    /// For resident work teams: the unit that sent the team.
    pub stationed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub region: RegionCode,
    pub kind: sunledger_core::DepartmentKind,
    pub name: String,
    pub credit_code: Option<sunledger_core::CreditCode>,
    pub stationed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub department_id: i64,
    pub name: String,
    pub position: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub department_id: i64,
    pub name: String,
    pub position: sunledger_core::department::Position,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    /// The region the account belongs to; admins of that region's subtree manage it.
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub person_id: Option<i64>,
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub region: RegionCode,
    pub person_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub granted_by: Option<i64>,
    pub granted_at: i64,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub user_id: i64,
    pub role: sunledger_core::Role,
    pub region: RegionCode,
    pub granted_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Kinds of entries in the record of sign-ins and access changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthEventKind {
    SignIn,
    SignInFailed,
    SignOut,
    UserAdded,
    PasswordSet,
    Grant,
    Revoke,
    /// An account was disabled (its sessions ended) or enabled again.
    Disable,
    Enable,
    /// A person ended one of their sessions from the sessions page.
    SessionEnded,
    /// An administrator cleared a sign-in limit.
    LimitCleared,
    /// A second factor (TOTP) was confirmed, or removed.
    TotpEnrolled,
    TotpRemoved,
}

impl AuthEventKind {
    pub fn key(self) -> &'static str {
        match self {
            AuthEventKind::SignIn => "sign_in",
            AuthEventKind::SignInFailed => "sign_in_failed",
            AuthEventKind::SignOut => "sign_out",
            AuthEventKind::UserAdded => "user_added",
            AuthEventKind::PasswordSet => "password_set",
            AuthEventKind::Grant => "grant",
            AuthEventKind::Revoke => "revoke",
            AuthEventKind::Disable => "disable",
            AuthEventKind::Enable => "enable",
            AuthEventKind::SessionEnded => "session_ended",
            AuthEventKind::LimitCleared => "limit_cleared",
            AuthEventKind::TotpEnrolled => "totp_enrolled",
            AuthEventKind::TotpRemoved => "totp_removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthEvent {
    pub at: i64,
    pub kind: AuthEventKind,
    /// The region the event concerns (the account's home region); `None` for unknown usernames.
    pub region: Option<RegionCode>,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuthEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub region: Option<String>,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: String,
}

/// How a session came to be and what it may do (`NewSession` says who and until when).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionMeta {
    /// A random id shown to the person (the token hash is never shown).
    pub public_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `full`, or `totp` while the second step of a sign-in is awaited.
    pub stage: String,
}

/// A session found by its token, still within its absolute and idle limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub user_id: i64,
    pub public_id: String,
    pub stage: String,
    /// Wrong second-step codes entered in this (pending) session.
    pub tries: i64,
    pub created_at: i64,
}

/// One of a person's sessions, as listed to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The id to end it by.
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Whether this is the session making the request (filled by the web layer).
    pub current: bool,
}

/// The sign-in limits: attempts per account and address, and per address, in a sliding window;
/// past `account_free_failures` failed attempts in a row an account allows one attempt per
/// growing delay from addresses it has never signed in from. Defaults follow OWASP's
/// Authentication Cheat Sheet ("Login Throttling": throttle per account and per source, prefer
/// exponential delays to lockouts that anyone can trigger) and NIST SP 800-63B §5.2.2 (no more
/// than 100 consecutive failed attempts on an account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPolicy {
    pub window_secs: i64,
    pub max_per_account_address: i64,
    pub max_per_address: i64,
    pub account_free_failures: i64,
    pub account_base_delay_secs: i64,
    pub account_max_delay_secs: i64,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            window_secs: 15 * 60,
            max_per_account_address: 5,
            max_per_address: 30,
            account_free_failures: 5,
            account_base_delay_secs: 2,
            account_max_delay_secs: 300,
        }
    }
}

impl SignInPolicy {
    /// The delay the account asks for after its `failures`-th attempt in a row.
    pub fn account_delay(&self, failures: i64) -> i64 {
        let over = failures - self.account_free_failures;
        if over <= 0 {
            return 0;
        }
        let shift = u32::try_from((over - 1).min(30)).unwrap_or(30);
        self.account_base_delay_secs
            .max(1)
            .saturating_mul(1i64 << shift)
            .min(self.account_max_delay_secs)
    }
}

/// The keys one sign-in attempt is counted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInKeys {
    pub username: String,
    pub ip: Option<String>,
    /// The account's home region (for administrators' views); `None` for unknown usernames.
    pub region: Option<RegionCode>,
    /// Count the attempt against the account's backoff (not when the address is one the account
    /// has signed in from before).
    pub account_backoff: bool,
}

impl SignInKeys {
    pub fn account_address_key(&self) -> String {
        format!("ua:{}|{}", self.username, self.ip.as_deref().unwrap_or("-"))
    }
    pub fn address_key(&self) -> Option<String> {
        self.ip.as_ref().map(|ip| format!("a:{ip}"))
    }
    pub fn account_key(&self) -> String {
        format!("u:{}", self.username)
    }
}

/// Whether an attempt may go on to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInGate {
    Allowed,
    /// Refused: which limit (`account_address`, `address`, `account`) and for how long.
    Limited {
        limit: &'static str,
        retry_after: i64,
    },
}

/// A sign-in limit as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignInLimit {
    pub id: i64,
    /// `account_address`, `address` or `account`.
    pub kind: String,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub region: Option<String>,
    /// Attempts in the window (`account_address`, `address`) or in a row (`account`).
    pub attempts: i64,
    pub window_start: i64,
    /// Unix seconds before which the account allows no attempt from new addresses.
    pub next_at: i64,
    pub updated_at: i64,
}

/// A person's TOTP second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRow {
    pub user_id: i64,
    /// Base32 (RFC 4648) secret.
    pub secret: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

/// One leaf of the tamper-evident log: a booked fact's canonical bytes and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LogLeaf {
    pub index: u64,
    pub kind: String,
    pub record_table: String,
    pub record_id: i64,
    pub county_code: Option<String>,
    pub at: i64,
    /// The canonical serialization (UTF-8 JSON, see `sunledger_core::fact`).
    #[schema(value_type = String)]
    pub data: Vec<u8>,
}

/// A signed tree head with the consistency proof from the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredCheckpoint {
    pub size: u64,
    /// Hex of the root hash.
    #[schema(value_type = String)]
    #[serde(serialize_with = "hex_hash")]
    pub root: [u8; 32],
    /// The C2SP signed note.
    pub note: String,
    pub prev_size: Option<u64>,
    /// Hex hashes of the consistency proof from `prev_size` to `size`.
    pub consistency: Vec<String>,
    pub at: i64,
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn hex_hash<S: serde::Serializer>(h: &[u8; 32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(h))
}

// --- Book 1: the fund appropriation ledger ---------------------------------------------------

use sunledger_core::ledger::{Balance, FiscalYear, FundSource, TransferKind};
use sunledger_core::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    /// The village (or, for records made outside the declaration path, any region).
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub name: String,
    pub fiscal_year: i64,
    pub category: String,
    /// Declaration stage: draft, declared, returned_to_village, noticed, returned_to_township,
    /// approved, recorded, revoked.
    pub stage: String,
    /// Implementation status once approved: planned, in_progress, completed, accepted, evaluated.
    pub status: Option<String>,
    /// Current content version (0: no content yet).
    pub version: i64,
    /// The version the county approved.
    pub approved_version: Option<i64>,
    /// First day of the public notice (`YYYY-MM-DD`).
    pub notice_from: Option<String>,
    /// Percent, rolled up from the milestones.
    pub progress: i64,
    /// Planned budget, all sources, fen.
    pub budget_total_fen: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub region: RegionCode,
    pub name: String,
    pub fiscal_year: FiscalYear,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFund {
    /// The client's id for this write: a retry books once.
    pub client_id: String,
    /// The level that receives the money (e.g. the city for central funds).
    pub region: RegionCode,
    pub source: FundSource,
    pub fiscal_year: FiscalYear,
    pub document_no: String,
    pub name: String,
    /// Days money may stay unallocated after receipt before it counts as detained.
    pub detention_days: i64,
    pub amount: Money,
    /// `YYYY-MM-DD`.
    pub booked_on: String,
    pub actor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fund {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub source: String,
    pub fiscal_year: i64,
    pub document_no: String,
    pub name: String,
    pub detention_days: i64,
}

/// Whose account: a region's share of a fund, or a project's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Region(RegionCode),
    Project(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    pub fund_id: i64,
    /// `region` or `project`.
    pub owner_kind: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub project_id: Option<i64>,
    #[schema(value_type = Object)]
    pub balance: Balance,
    /// Appropriations from the level above whose receipt was confirmed (fen).
    #[schema(value_type = i64)]
    pub received_from_above: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    pub client_id: String,
    pub fund_id: i64,
    pub kind: TransferKind,
    pub from: Option<Owner>,
    pub to: Option<Owner>,
    /// For disbursements: who is paid (name, or credit code / ID number).
    pub payee: Option<String>,
    pub amount: Money,
    pub booked_on: String,
    pub document_no: String,
    pub purpose: String,
    pub actor: Option<i64>,
    /// For reversals: the transfer corrected.
    pub reverses: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Transfer {
    pub id: i64,
    pub client_id: String,
    pub fund_id: i64,
    pub kind: String,
    pub from_account: Option<i64>,
    pub to_account: Option<i64>,
    pub payee: Option<String>,
    #[schema(value_type = i64)]
    pub amount: Money,
    pub booked_on: String,
    pub document_no: String,
    pub purpose: String,
    pub actor_id: Option<i64>,
    pub reverses: Option<i64>,
    /// Appropriations: `dispatched`/`received`; disbursements: `approved`/`held`/`paid`/`voided`.
    pub state: Option<String>,
}

/// What a suspension of payment stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspensionTarget {
    Project(i64),
    /// A region and everything below it.
    Region(RegionCode),
    Payee(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suspension {
    pub id: i64,
    pub target_kind: String,
    pub target: String,
    pub region: String,
    pub reason: String,
    pub document_no: String,
    pub suspended_by: Option<i64>,
    pub suspended_at: i64,
    pub resumed_at: Option<i64>,
    pub resume_document: Option<String>,
}

/// A fund or transfer named by its id or by the client id it was booked under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Id(i64),
    ClientId(String),
}

/// One step of a ledger import, applied with the others in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerOp {
    Fund(NewFund),
    /// `transfer.fund_id` and `transfer.reverses` are replaced by the resolved references.
    Transfer {
        fund: Ref,
        reverses: Option<Ref>,
        transfer: NewTransfer,
    },
    /// Confirms receipt (skipped when already received, so a re-run books nothing twice).
    Confirm {
        transfer: Ref,
        on: String,
        actor: Option<i64>,
    },
    /// Moves a payment (skipped when it is already in the target state).
    Payment {
        transfer: Ref,
        action: sunledger_core::ledger::PaymentAction,
        on: String,
        document_no: String,
        actor: Option<i64>,
    },
}

/// One line of a ledger as users file it: the same columns in CSV and XLSX exports and imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LedgerRow {
    pub client_id: String,
    /// YYYY-MM-DD.
    pub booked_on: String,
    /// receive, appropriate, arrange, disburse, refund, reverse.
    pub kind: String,
    /// The client id of the fund's `receive` row.
    pub fund_client_id: String,
    pub fund_source: String,
    pub fiscal_year: i64,
    pub fund_document_no: String,
    pub fund_name: String,
    pub detention_days: i64,
    /// A 12-digit region code, `P<project id>`, or empty.
    pub from: String,
    pub to: String,
    pub payee: String,
    /// Yuan with two decimals.
    pub amount: String,
    pub document_no: String,
    pub purpose: String,
    pub state: String,
    /// The client id of the transfer this one reverses.
    pub reverses: String,
}

impl LedgerRow {
    pub const COLUMNS: [&'static str; 17] = [
        "client_id",
        "booked_on",
        "kind",
        "fund_client_id",
        "fund_source",
        "fiscal_year",
        "fund_document_no",
        "fund_name",
        "detention_days",
        "from",
        "to",
        "payee",
        "amount",
        "document_no",
        "purpose",
        "state",
        "reverses",
    ];
}

/// A lower region's account in one fund, for reconciling a level against the one above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReconRow {
    pub account: Account,
    /// The booking day of the oldest appropriation still waiting for confirmation.
    pub oldest_in_transit: Option<String>,
}

// --- The project library and Book 2 ---------------------------------------------------------

/// One line of a planned budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    pub source: String,
    pub amount_fen: i64,
}

/// One version of a project's content (version 1 is the declaration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectVersion {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub name: String,
    pub category: String,
    pub village: String,
    pub fiscal_year: i64,
    pub budget: Vec<BudgetLine>,
    pub outputs: String,
    pub households: i64,
    pub income_effect: String,
    pub satisfaction: i64,
    pub meeting_on: String,
    pub meeting_ref: String,
    pub description: String,
    /// Why this version was made.
    pub note: String,
    pub actor_id: Option<i64>,
    pub created_at: i64,
}

impl ProjectVersion {
    /// The content as domain values.
    pub fn content(&self) -> Result<sunledger_core::project::Content, sunledger_core::DomainError> {
        use sunledger_core::project::{Budget, Category, Content, Targets};
        Ok(Content {
            name: self.name.clone(),
            category: Category::parse(&self.category)?,
            village: RegionCode::parse(&self.village)?,
            fiscal_year: FiscalYear::new(self.fiscal_year)?,
            budget: Budget::new(
                self.budget
                    .iter()
                    .map(|l| Ok((FundSource::parse(&l.source)?, Money::from_fen(l.amount_fen))))
                    .collect::<Result<Vec<_>, sunledger_core::DomainError>>()?,
            )?,
            targets: Targets {
                outputs: self.outputs.clone(),
                households: self.households,
                income_effect: self.income_effect.clone(),
                satisfaction: self.satisfaction,
            },
            meeting_on: self.meeting_on.clone(),
            meeting_ref: self.meeting_ref.clone(),
            description: self.description.clone(),
        })
    }
}

/// A step on the declaration path (`declare`, `township_approve`, ...) or of the implementation
/// status (`start`, `complete`, `accept`, `evaluate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectEvent {
    pub id: i64,
    pub project_id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The content version the step was taken on.
    pub version: i64,
    pub comment: String,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub id: i64,
    pub project_id: i64,
    pub objector: String,
    pub content: String,
    pub received_on: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub weight: i64,
    pub due_on: Option<String>,
    /// The latest reported progress, percent.
    pub progress: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MilestoneUpdate {
    pub id: i64,
    pub milestone_id: i64,
    pub progress: i64,
    pub on_date: String,
    pub note: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// A beneficiary household. `id_number` is the full number: views for the public mask it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Beneficiary {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub id_number: String,
    pub household_size: i64,
    pub added_by: Option<i64>,
    pub added_at: i64,
}

/// A row of Book 2: a person answering for a project in a role, from `start_on` to `end_on`
/// (inclusive; open while `end_on` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Responsibility {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    #[schema(value_type = String)]
    pub project_region: RegionCode,
    pub person_id: i64,
    pub person_name: String,
    pub person_position: String,
    pub department_name: String,
    pub role: String,
    pub start_on: String,
    pub end_on: Option<String>,
    pub end_reason: Option<String>,
    pub assigned_by: Option<i64>,
    pub assigned_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResponsibilityLetter {
    pub id: i64,
    /// The township whose party committee and government signed.
    #[schema(value_type = String)]
    pub township: RegionCode,
    pub fiscal_year: i64,
    pub document_no: String,
    pub title: String,
    pub content: String,
    /// SHA-256 of the content, hex (the log records it).
    pub content_sha256: String,
    pub bureau_person_id: i64,
    pub bureau_person_name: String,
    pub township_person_id: i64,
    pub township_person_name: String,
    pub signed_on: String,
    pub filed_by: Option<i64>,
    pub filed_at: i64,
}

/// Which projects to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects within these subtrees (the caller's scopes, narrowed by a region filter).
    pub scopes: Vec<RegionCode>,
    pub fiscal_year: Option<i64>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    /// Projects this person was ever responsible for.
    pub person_id: Option<i64>,
    /// Name contains.
    pub name: Option<String>,
}

/// Which rows of Book 2 to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponsibilityFilter {
    pub scopes: Vec<RegionCode>,
    pub project_id: Option<i64>,
    pub person_id: Option<i64>,
    /// Only rows covering this day (`YYYY-MM-DD`).
    pub on_day: Option<String>,
    pub fiscal_year: Option<i64>,
}

/// A project's whole record, as shown on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectRecord {
    pub project: Project,
    pub versions: Vec<ProjectVersion>,
    pub events: Vec<ProjectEvent>,
    pub objections: Vec<Objection>,
    pub milestones: Vec<Milestone>,
    pub updates: Vec<MilestoneUpdate>,
    pub beneficiaries: Vec<Beneficiary>,
    pub responsibilities: Vec<Responsibility>,
}

/// A new responsibility letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub township: RegionCode,
    pub fiscal_year: FiscalYear,
    pub document_no: String,
    pub title: String,
    pub content: String,
    pub bureau_person_id: i64,
    pub township_person_id: i64,
    pub signed_on: String,
}

// --- Supervision: households, inspections, spot checks, Book 3, the escalation ladder ------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub head_name: String,
    /// Full resident ID number (officials only; public views mask it).
    pub id_number: String,
    /// A registered poor household (建档立卡).
    pub poor: bool,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHousehold {
    pub village: RegionCode,
    pub head_name: String,
    pub id_number: sunledger_core::IdNumber,
    pub poor: bool,
    pub size: i64,
}

/// An inspection: planned, then done with its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    /// The region inspected (a county, or a township or village in it).
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// `routine` (the county's quarterly inspection) or `spot_check` (the municipal bureau's).
    pub kind: String,
    pub title: String,
    pub team: String,
    pub lead_departments: Vec<String>,
    /// `region:CODE`, `project:ID`, `household:ID` joined by `;`.
    pub targets: String,
    pub planned_on: String,
    pub draw_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub done_on: Option<String>,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    pub region: RegionCode,
    pub kind: String,
    pub title: String,
    pub team: String,
    pub lead_departments: Vec<sunledger_core::DepartmentKind>,
    pub targets: String,
    pub planned_on: String,
    pub draw_id: Option<i64>,
}

/// A spot-check draw and its sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SpotDraw {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// The round, e.g. `2026-11` (no household twice in one round).
    pub round: String,
    pub seed: String,
    /// The published rules, e.g. `villages=2;poor=20;non_poor=5`.
    pub rules: String,
    #[schema(value_type = Vec<SampledVillageSchema>)]
    pub sample: Vec<sunledger_core::supervision::SampledVillage>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// The OpenAPI description of [`sunledger_core::supervision::SampledVillage`] (core derives
/// no schemas): one sampled village and the household numbers drawn in it.
#[derive(utoipa::ToSchema)]
#[schema(as = SampledVillage)]
#[allow(dead_code)]
pub struct SampledVillageSchema {
    county: String,
    village: String,
    poor: Vec<String>,
    non_poor: Vec<String>,
}

/// A row of Book 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    /// The responsible unit's region.
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub inspection_id: Option<i64>,
    pub project_id: Option<i64>,
    /// "Double investigation of one case": this problem reviews the leaders' supervisory duty
    /// in that case.
    pub review_of: Option<i64>,
    pub category: String,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub department_id: i64,
    pub department_name: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub amount_fen: i64,
    pub first_deadline: String,
    /// The deadline in force (an interview may set a new one).
    pub deadline: String,
    /// open, rectifying, submitted, closed.
    pub state: String,
    pub rejections: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProblem {
    pub region: RegionCode,
    pub inspection_id: Option<i64>,
    pub project_id: Option<i64>,
    pub review_of: Option<i64>,
    pub category: sunledger_core::supervision::ProblemCategory,
    pub severity: sunledger_core::supervision::Severity,
    pub title: String,
    pub description: String,
    pub department_id: i64,
    pub person_id: Option<i64>,
    pub amount: Money,
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProblemEvent {
    pub id: i64,
    pub problem_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    /// Evidence (submissions) or reason (rejections, reopenings).
    pub text: String,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// A step of the escalation ladder taken on a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub id: i64,
    pub problem_id: i64,
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    pub on_date: String,
    pub content: String,
    pub attendees: String,
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    pub deduction_points: Option<i64>,
    pub suspension_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: i64,
    pub outcome: Option<String>,
    pub outcome_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewEscalation {
    pub problem_id: i64,
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    pub content: String,
    /// Interviews: who attended.
    pub attendees: String,
    /// Interviews: the new deadline.
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    /// Informed criticism: assessment points deducted.
    pub deduction_points: Option<i64>,
    /// The proposal this confirms, if any.
    pub proposal_id: Option<i64>,
}

/// A step the rules made due, waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub problem_id: i64,
    pub step: String,
    pub proposed_on: String,
    /// `confirmed` or `dismissed` once decided.
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub escalation_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProblemRecord {
    pub problem: Problem,
    pub events: Vec<ProblemEvent>,
    pub escalations: Vec<Escalation>,
    pub proposals: Vec<Proposal>,
}

/// Which problems to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProblemFilter {
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Only problems still open with a deadline before this day (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
    /// Only problems not closed.
    pub open_only: bool,
}

/// The `action` of the event that puts an imported project straight into the library (see
/// [`crate::Store::import_projects`]).
pub const IMPORT_ACTION: &str = "import";

/// One project of an import of an existing project library: its content and the stage it is
/// put in — `Draft`, `Declared` or `Approved` (approved outside the system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProject {
    pub content: sunledger_core::project::Content,
    pub stage: sunledger_core::project::Stage,
}

// --- Rollups ----------------------------------------------------------------------------------

/// Sums over a set of ledger accounts (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MoneyTotals {
    pub accounts: i64,
    pub credited: i64,
    pub debited: i64,
    pub held: i64,
    pub in_transit: i64,
    /// credited − debited − held.
    pub available: i64,
}

/// A direct child region reconciled against what was dispatched to it, all funds together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChildRecon {
    pub region_code: String,
    pub region_name: String,
    /// Appropriations dispatched to the child (fen): received + in transit.
    pub dispatched: i64,
    /// Of which the child confirmed (fen).
    pub received: i64,
    /// Dispatched but not confirmed (fen): a difference to explain (截留?).
    pub in_transit: i64,
    /// Booking day of the oldest appropriation still unconfirmed.
    pub oldest_unconfirmed: Option<String>,
}

/// A count by key (a project status or stage, a problem state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyCount {
    pub key: String,
    pub count: i64,
}

/// A region's dashboard: everything in its subtree summed, computed from the maintained account
/// balances and indexes (no transfer history is scanned except the credits of accounts that
/// still hold money, for detention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegionSummary {
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// The day the detention is measured on (`YYYY-MM-DD`).
    pub today: String,
    /// The region's own accounts (funds held at this level).
    pub own: MoneyTotals,
    /// Region accounts below it (lower levels).
    pub below: MoneyTotals,
    /// Project accounts in the subtree; `debited` is what was paid or passed on.
    pub projects: MoneyTotals,
    /// Money at a level (region accounts in the subtree) unallocated past its fund's deadline.
    pub detained_fen: i64,
    pub detained_accounts: i64,
    /// Days past the deadline of the oldest detained money.
    pub detained_max_days: Option<i64>,
    pub children: Vec<ChildRecon>,
    /// Library projects by stage; approved ones also by status (`status.<key>`).
    pub projects_by_stage: Vec<KeyCount>,
    pub projects_by_status: Vec<KeyCount>,
    /// Book 3 problems by state.
    pub problems_by_state: Vec<KeyCount>,
    /// Active suspensions of payment inside the subtree.
    pub suspensions: i64,
}

/// What a project's public notice shows (项目公示): the project, the content the county approved
/// (or the current one before approval), its milestones, and the names of its county, township
/// and village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectNotice {
    pub project: Project,
    pub content: Option<ProjectVersion>,
    pub milestones: Vec<Milestone>,
    /// County, township, village names (those that exist), top down.
    pub place: Vec<String>,
}
