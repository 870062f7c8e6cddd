//! Accounts, grants, sign-in and its limits, sessions, the TOTP second factor.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use sunledger_core::RegionCode;

/// The storage of access (part of [`Store`](crate::Store)).
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
