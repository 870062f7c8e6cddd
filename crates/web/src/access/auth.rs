//! Passwords, sign-in with its limits, the second step, sessions and TOTP enrolment.
use crate::AppState;
use crate::access::{ops, totp};
use crate::app::ctx::{Ctx, actor_for, has_totp, hex, needs_second_factor, new_token, token_hash};
use crate::app::error::WebError;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use sunledger_core::RegionCode;
use sunledger_store::{
    AuthEventKind, NewAuthEvent, NewSession, SessionInfo, SessionMeta, SignInGate, SignInKeys,
    SignInLimit, User,
};

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn argon2() -> Result<Argon2<'static>, WebError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password(password: &str) -> Result<String, WebError> {
    let hash = argon2()?
        .hash_password(password.as_bytes())
        .map_err(|e| WebError::Internal(format!("hashing: {e}")))?;
    Ok(hash.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(hash) else {
        return false;
    };
    match argon2() {
        Ok(a) => a.verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the username does not exist, so both paths take as long.
/// The hash checked when there is nothing to check against (an unknown user, an unknown
/// receipt code), so that both paths take as long.
pub fn dummy_hash() -> String {
    DUMMY_HASH.clone()
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("sunledger-dummy-password").unwrap_or_default());

pub fn check_password_policy(password: &str) -> Result<(), WebError> {
    if password.chars().count() < 10 {
        return Err(WebError::invalid("password", "password_too_short", ""));
    }
    Ok(())
}

pub fn check_username(username: &str) -> Result<(), WebError> {
    let ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(WebError::invalid("username", "username_format", username))
    }
}

/// How long a pending second step lives, and how many wrong codes it takes.
pub const SECOND_STEP_SECS: i64 = 300;
pub const SECOND_STEP_TRIES: i64 = 5;

/// A successful password step: the new session's token, and whether it still awaits the
/// second factor.
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub second_step: bool,
}

pub(crate) fn limit_keys(
    ctx: &Ctx,
    username: &str,
    user: Option<&User>,
    backoff: bool,
) -> SignInKeys {
    SignInKeys {
        username: username.to_string(),
        ip: ctx.ip.clone(),
        region: user.map(|u| u.region),
        account_backoff: backoff,
    }
}

/// Addresses an account signed in from within this many seconds are exempt from its backoff.
const KNOWN_ADDRESS_SECS: i64 = 90 * 86_400;

pub(crate) async fn new_session(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    stage: &str,
    event: Option<&NewAuthEvent>,
) -> Result<String, WebError> {
    let now = state.now();
    let token = new_token();
    let ttl = if stage == "full" {
        state.config.session_ttl_secs
    } else {
        SECOND_STEP_SECS
    };
    let session = NewSession {
        token_hash: token_hash(&token),
        user_id: user.id,
        created_at: now,
        expires_at: now + ttl,
    };
    let meta = SessionMeta {
        public_id: hex(&rand::random::<[u8; 12]>()),
        ip: ctx.ip.clone(),
        user_agent: ctx.user_agent.clone(),
        stage: stage.to_string(),
    };
    state
        .store
        .create_session_with(&session, &meta, ctx.session.as_deref(), event)
        .await?;
    Ok(token)
}

pub(crate) fn sign_in_event(ctx: &Ctx, user: &User, at: i64, detail: &str) -> NewAuthEvent {
    let mut ev = ctx.event(AuthEventKind::SignIn, at);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.actor_id = Some(user.id);
    ev.detail = detail.to_string();
    ev
}

/// The password step of a sign-in. The attempt is counted against the limits before the
/// password is checked (a refused attempt is recorded and answers 429 with `Retry-After`); a
/// right password makes a new session (deleting the one presented): a full one, or a pending one
/// when the account has a second factor.
pub async fn sign_in(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<SignedIn, WebError> {
    let now = state.now();
    let username = username.trim();
    let user = state.store.user_by_username(username).await?;
    let backoff = match (&user, ctx.ip.as_deref()) {
        (Some(u), Some(ip)) => {
            !state
                .store
                .signed_in_from(u.id, ip, now - KNOWN_ADDRESS_SECS)
                .await?
        }
        _ => true,
    };
    let keys = limit_keys(ctx, username, user.as_ref(), backoff);
    let mut failed = ctx.event(AuthEventKind::SignInFailed, now);
    failed.username = Some(username.to_string());
    failed.region = user.as_ref().map(|u| u.region);
    failed.user_id = user.as_ref().map(|u| u.id);
    if let SignInGate::Limited { limit, retry_after } = state
        .store
        .reserve_sign_in(&keys, &state.config.sign_in, now)
        .await?
    {
        failed.detail = format!("rate_limited ({limit})");
        state.store.record_auth_event(&failed).await?;
        return Err(WebError::TooManyAttempts { retry_after });
    }
    let hash = match &user {
        Some(u) if !u.disabled => u.password_hash.clone(),
        _ => DUMMY_HASH.clone(),
    };
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            failed.detail = match other {
                None => "unknown_user".into(),
                Some(u) if u.disabled => "disabled".into(),
                Some(_) => "wrong_password".into(),
            };
            state.store.record_auth_event(&failed).await?;
            return Err(WebError::BadCredentials);
        }
    };
    if has_totp(state, user.id).await? {
        // The limits are forgotten only when the second step succeeds too.
        let token = new_session(state, ctx, &user, "totp", None).await?;
        return Ok(SignedIn {
            token,
            user,
            second_step: true,
        });
    }
    state.store.sign_in_succeeded(&keys).await?;
    let ev = sign_in_event(ctx, &user, now, "");
    let token = new_session(state, ctx, &user, "full", Some(&ev)).await?;
    Ok(SignedIn {
        token,
        user,
        second_step: false,
    })
}

/// The second step: a TOTP code of the account's secret (each time step once) or one of its
/// unused recovery codes turns the pending session into a full one. Five wrong codes end the
/// pending session (the password step starts again, under its limits).
pub async fn second_step(state: &AppState, ctx: &Ctx, code: &str) -> Result<SignedIn, WebError> {
    let now = state.now();
    let (uid, tries) = ctx.pending.ok_or(WebError::Unauthorized)?;
    let user = state.store.user(uid).await?.ok_or(WebError::Unauthorized)?;
    let totp = state
        .store
        .totp(uid)
        .await?
        .filter(|t| t.confirmed_at.is_some())
        .ok_or(WebError::Unauthorized)?;
    let session = ctx.session.clone().ok_or(WebError::Unauthorized)?;
    if tries >= SECOND_STEP_TRIES {
        state.store.delete_session(&session, None).await?;
        return Err(WebError::Unauthorized);
    }
    let code = code.trim();
    let how = if totp::is_recovery_code(code) {
        state
            .store
            .use_recovery_code(uid, &totp::recovery_hash(code), now)
            .await?
            .then_some("recovery_code")
    } else {
        match totp::matching_step(&totp.secret, code, now, totp.last_step) {
            Some(step) if state.store.use_totp_step(uid, step).await? => Some("totp"),
            _ => None,
        }
    };
    let Some(how) = how else {
        let mut failed = ctx.event(AuthEventKind::SignInFailed, now);
        failed.username = Some(user.username.clone());
        failed.user_id = Some(user.id);
        failed.region = Some(user.region);
        failed.detail = "wrong_second_factor".into();
        state.store.record_auth_event(&failed).await?;
        if state.store.bump_session_tries(&session).await? >= SECOND_STEP_TRIES {
            state.store.delete_session(&session, None).await?;
        }
        return Err(WebError::invalid("otp", "wrong_code", ""));
    };
    let keys = limit_keys(ctx, &user.username, Some(&user), true);
    state.store.sign_in_succeeded(&keys).await?;
    let ev = sign_in_event(ctx, &user, now, how);
    let token = new_session(state, ctx, &user, "full", Some(&ev)).await?;
    Ok(SignedIn {
        token,
        user,
        second_step: false,
    })
}

/// Ends the presented session on the server and records the sign-out.
pub async fn sign_out(state: &AppState, ctx: &Ctx) -> Result<(), WebError> {
    if let Some(h) = &ctx.session {
        let ev = ctx.user.as_ref().map(|u| {
            let mut e = ctx.event(AuthEventKind::SignOut, state.now());
            e.username = Some(u.username.clone());
            e.user_id = Some(u.id);
            e.region = Some(u.region);
            e
        });
        state.store.delete_session(h, ev.as_ref()).await?;
    }
    Ok(())
}

pub(crate) fn about(
    ctx: &Ctx,
    kind: AuthEventKind,
    at: i64,
    user: &User,
    detail: String,
) -> NewAuthEvent {
    let mut ev = ctx.event(kind, at);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.detail = detail;
    ev
}

/// The signed-in person's sessions, the current one marked.
pub async fn my_sessions(state: &AppState, ctx: &Ctx) -> Result<Vec<SessionInfo>, WebError> {
    let user = ctx.require_user()?;
    let mut list = state
        .store
        .sessions_of(user.id, state.now(), state.config.session_idle_secs)
        .await?;
    for s in &mut list {
        s.current = ctx.session_id.as_deref() == Some(s.id.as_str());
    }
    Ok(list)
}

/// Ends one of the signed-in person's sessions (`NotFound` if it is not theirs).
pub async fn end_my_session(state: &AppState, ctx: &Ctx, id: &str) -> Result<(), WebError> {
    let user = ctx.require_user()?;
    let ev = about(
        ctx,
        AuthEventKind::SessionEnded,
        state.now(),
        user,
        String::new(),
    );
    if state.store.end_session(user.id, id, &ev).await? {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// Disables (ending its sessions at once) or re-enables an account the actor manages; booked in
/// the log. Administrators cannot disable themselves.
pub async fn set_disabled(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    disabled: bool,
    reason: &str,
) -> Result<User, WebError> {
    let user = ops::managed_user(state, ctx, user_id).await?;
    if disabled && ctx.user.as_ref().is_some_and(|me| me.id == user.id) {
        return Err(WebError::invalid("user", "cannot_disable_self", ""));
    }
    let reason: String = reason.trim().chars().take(500).collect();
    let kind = if disabled {
        AuthEventKind::Disable
    } else {
        AuthEventKind::Enable
    };
    let ev = about(ctx, kind, state.now(), &user, reason.clone());
    let actor = ctx.user.as_ref().map(|u| u.id);
    if !state
        .store
        .set_disabled(user.id, disabled, actor, &reason, &ev)
        .await?
    {
        return Err(WebError::Conflict {
            field: "disabled".into(),
        });
    }
    state.store.user(user.id).await?.ok_or(WebError::NotFound)
}

/// The sign-in limits holding now over accounts the actor manages (address-only ones and
/// unknown usernames for city-wide administrators).
pub async fn sign_in_limits(state: &AppState, ctx: &Ctx) -> Result<Vec<SignInLimit>, WebError> {
    ctx.require_user()?;
    let scopes = ctx.actor.scopes(sunledger_core::Permission::ManageUsers);
    if scopes.is_empty() {
        return Err(WebError::Forbidden);
    }
    let include_unknown = scopes
        .iter()
        .any(|s| s.level() <= sunledger_core::Level::City);
    Ok(state
        .store
        .sign_in_limits_within(&scopes, include_unknown, &state.config.sign_in, state.now())
        .await?)
}

/// Clears one sign-in limit (recorded).
pub async fn clear_sign_in_limit(state: &AppState, ctx: &Ctx, id: i64) -> Result<(), WebError> {
    let visible = sign_in_limits(state, ctx).await?;
    let l = visible
        .into_iter()
        .find(|l| l.id == id)
        .ok_or(WebError::NotFound)?;
    let mut ev = ctx.event(AuthEventKind::LimitCleared, state.now());
    ev.username = l.username.clone();
    ev.region = l.region.as_deref().and_then(|r| RegionCode::parse(r).ok());
    ev.detail = format!("{} {}", l.kind, l.ip.as_deref().unwrap_or(""))
        .trim()
        .to_string();
    if state.store.clear_sign_in_limits(&[id], &ev).await? == 0 {
        return Err(WebError::NotFound);
    }
    Ok(())
}

/// A secret being enrolled: as an `otpauth://` URI and as base32 text.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
}

/// The signed-in person's second factor: whether confirmed, recovery codes left.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    pub enrolled: bool,
    /// Whether one of the person's roles needs a second factor in this city.
    pub required: bool,
    pub recovery_codes_left: i64,
    /// The secret being set up (not yet confirmed), if any.
    pub pending: Option<TotpSetup>,
}

pub(crate) fn setup_of(user: &User, secret: &str) -> TotpSetup {
    TotpSetup {
        secret: secret.to_string(),
        uri: totp::otpauth_uri("Sunledger", &user.username, secret),
    }
}

pub async fn totp_status(state: &AppState, ctx: &Ctx) -> Result<TotpStatus, WebError> {
    let user = ctx.require_user()?;
    let row = state.store.totp(user.id).await?;
    let full = actor_for(state, user).await?;
    Ok(TotpStatus {
        enrolled: row.as_ref().is_some_and(|t| t.confirmed_at.is_some()),
        required: needs_second_factor(state, &full),
        recovery_codes_left: state.store.recovery_codes_left(user.id).await?,
        pending: row
            .filter(|t| t.confirmed_at.is_none())
            .map(|t| setup_of(user, &t.secret)),
    })
}

/// Starts enrolment: a new secret, shown once as URI and text until confirmed with a code.
pub async fn start_totp(state: &AppState, ctx: &Ctx) -> Result<TotpSetup, WebError> {
    let user = ctx.require_user()?;
    let secret = totp::new_secret();
    state
        .store
        .start_totp(user.id, &secret, state.now())
        .await?;
    Ok(setup_of(user, &secret))
}

/// Confirms enrolment with a code of the new secret; answers the ten recovery codes (shown once,
/// stored hashed).
pub async fn confirm_totp(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
) -> Result<Vec<String>, WebError> {
    let user = ctx.require_user()?;
    let now = state.now();
    let row = state
        .store
        .totp(user.id)
        .await?
        .filter(|t| t.confirmed_at.is_none())
        .ok_or(WebError::Conflict {
            field: "totp".into(),
        })?;
    let step = totp::matching_step(&row.secret, code, now, 0)
        .ok_or_else(|| WebError::invalid("otp", "wrong_code", ""))?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let ev = about(ctx, AuthEventKind::TotpEnrolled, now, user, String::new());
    if !state
        .store
        .confirm_totp(user.id, step, &hashes, &ev)
        .await?
    {
        return Err(WebError::Conflict {
            field: "totp".into(),
        });
    }
    Ok(codes)
}

/// Removes the person's second factor, proven with a current code or a recovery code.
pub async fn remove_totp(state: &AppState, ctx: &Ctx, code: &str) -> Result<(), WebError> {
    let user = ctx.require_user()?;
    let now = state.now();
    let row = state
        .store
        .totp(user.id)
        .await?
        .filter(|t| t.confirmed_at.is_some())
        .ok_or(WebError::NotFound)?;
    let ok = if totp::is_recovery_code(code) {
        state
            .store
            .use_recovery_code(user.id, &totp::recovery_hash(code), now)
            .await?
    } else {
        match totp::matching_step(&row.secret, code, now, row.last_step) {
            Some(step) => state.store.use_totp_step(user.id, step).await?,
            None => false,
        }
    };
    if !ok {
        return Err(WebError::invalid("otp", "wrong_code", ""));
    }
    let ev = about(ctx, AuthEventKind::TotpRemoved, now, user, String::new());
    state.store.remove_totp(user.id, &ev).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_owasp_minimum() {
        let h = hash_password("correct horse battery").unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn usernames() {
        assert!(check_username("county1.finance").is_ok());
        assert!(check_username("a").is_err());
        assert!(check_username("名字").is_err());
    }
}
