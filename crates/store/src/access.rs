//! Accounts, grants, sign-in and its limits, sessions, the TOTP second factor.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of accounts, grants, sign-in, sessions and the second factor (part of [`crate::Store`]).
#[async_trait]
pub trait AccessStore: Send + Sync {
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
    async fn record_auth_event(&self, e: &NewAuthEvent) -> Result<()>;
    /// Failed sign-ins since `since` for this username, and from this address.
    async fn failed_sign_ins_since(
        &self,
        username: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<(i64, i64)>;
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
    /// Like [`AccessStore::create_session`], with where the session comes from and its stage.
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
    /// Newest first. `include_unknown` adds the events that belong to no region (failed sign-ins
    /// for usernames that do not exist).
    async fn auth_events_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        limit: i64,
    ) -> Result<Vec<AuthEvent>>;
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
