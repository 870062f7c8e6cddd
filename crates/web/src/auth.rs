//! Accounts and sessions: argon2id password hashes, session tokens, sign-in with a limit on
//! failures, and the request context [`Ctx`] (who is acting and in which language).
//!
//! A session token is 32 random bytes sent only in an `HttpOnly; SameSite=Lax` cookie; the store
//! keeps its SHA-256, so a copy of the database cannot be replayed as a session. Every sign-in
//! makes a new token and deletes the one presented; sign-out deletes it on the server.
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::LazyLock;
use sunledger_core::{Actor, Grant, RegionCode, Role};
use sunledger_store::{AuthEventKind, NewAuthEvent, NewSession, User};

pub const SESSION_COOKIE: &str = "sunledger_session";
pub const LANG_COOKIE: &str = "sunledger_lang";

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

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn query_param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The language asked for by this request alone (`?lang=` or the language cookie).
pub fn lang_hint(uri: &Uri, headers: &HeaderMap) -> Option<Lang> {
    query_param(uri, "lang")
        .and_then(|l| Lang::parse(&l))
        .or_else(|| cookie_value(headers, LANG_COOKIE).and_then(Lang::parse))
}

pub fn session_cookie(token: &str, state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        state.config.session_ttl_secs
    )
}

pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

pub fn lang_cookie(lang: Lang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    )
}

/// Who is acting, in which language, from where.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub user: Option<User>,
    pub lang: Lang,
    /// Hash of the session token presented with the request, if any.
    pub session: Option<String>,
    pub ip: Option<String>,
}

impl Ctx {
    pub fn require_user(&self) -> Result<&User, WebError> {
        self.user.as_ref().ok_or(WebError::Unauthorized)
    }

    /// `Unauthorized` for the public, `Forbidden` for an account without `p` on `region`.
    pub fn require(
        &self,
        p: sunledger_core::Permission,
        region: &RegionCode,
    ) -> Result<(), WebError> {
        self.require_user()?;
        self.actor.require(p, region).map_err(WebError::from)
    }

    /// `Unauthorized` for the public, `Forbidden` unless a grant of one of `roles` covers
    /// `region`.
    pub fn require_role(
        &self,
        roles: &[sunledger_core::Role],
        region: &RegionCode,
    ) -> Result<(), WebError> {
        self.require_user()?;
        if self.actor.has_role(roles, region) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Like [`Ctx::require`] but answers `NotFound`, for objects looked up by id whose
    /// existence outside the actor's areas must not show.
    pub fn require_or_hide(
        &self,
        p: sunledger_core::Permission,
        region: &RegionCode,
    ) -> Result<(), WebError> {
        self.require_user()?;
        if self.actor.can(p, region) {
            Ok(())
        } else {
            Err(WebError::NotFound)
        }
    }

    pub fn event(&self, kind: AuthEventKind, at: i64) -> NewAuthEvent {
        NewAuthEvent {
            at,
            kind,
            region: None,
            username: None,
            user_id: None,
            actor_id: self.user.as_ref().map(|u| u.id),
            ip: self.ip.clone(),
            detail: String::new(),
        }
    }
}

/// Loads the active grants of `user` as an [`Actor`]. Unknown role names are skipped.
pub async fn actor_for(state: &AppState, user: &User) -> Result<Actor, WebError> {
    let grants = state.store.grants_of(user.id, false).await?;
    Ok(Actor {
        user_id: Some(user.id),
        grants: grants
            .into_iter()
            .filter_map(|g| {
                Some(Grant {
                    role: Role::parse(&g.role).ok()?,
                    region: g.region,
                })
            })
            .collect(),
    })
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let hint = lang_hint(&parts.uri, &parts.headers);
        let session = cookie_value(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty())
            .map(token_hash);
        let mut user = None;
        if let Some(h) = &session {
            let found = state.store.session_user(h, state.now()).await;
            let uid =
                found.map_err(|e| crate::error::ApiError(e.into(), hint.unwrap_or_default()))?;
            if let Some(uid) = uid {
                user = state
                    .store
                    .user(uid)
                    .await
                    .map_err(|e| crate::error::ApiError(e.into(), hint.unwrap_or_default()))?;
            }
        }
        let actor = match &user {
            Some(u) => actor_for(state, u)
                .await
                .map_err(|e| crate::error::ApiError(e, hint.unwrap_or_default()))?,
            None => Actor::public(),
        };
        let query_lang = query_param(&parts.uri, "lang").and_then(|l| Lang::parse(&l));
        let lang = query_lang
            .or_else(|| {
                user.as_ref()
                    .and_then(|u| u.locale.as_deref())
                    .and_then(Lang::parse)
            })
            .or(hint)
            .unwrap_or_default();
        Ok(Ctx {
            actor,
            user,
            lang,
            session,
            ip,
        })
    }
}

/// Signs in: checks the failure limit, verifies the password, records the attempt and creates a
/// fresh session (deleting the one presented, if any). Returns the new token.
pub async fn sign_in(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<(String, User), WebError> {
    let now = state.now();
    let username = username.trim();
    let since = now - state.config.failure_window_secs;
    let (by_user, by_ip) = state
        .store
        .failed_sign_ins_since(username, ctx.ip.as_deref(), since)
        .await?;
    let user = state.store.user_by_username(username).await?;
    let mut failed = ctx.event(AuthEventKind::SignInFailed, now);
    failed.username = Some(username.to_string());
    failed.region = user.as_ref().map(|u| u.region);
    failed.user_id = user.as_ref().map(|u| u.id);
    if by_user >= state.config.max_failed_per_user || by_ip >= state.config.max_failed_per_ip {
        failed.detail = "rate_limited".into();
        state.store.record_auth_event(&failed).await?;
        return Err(WebError::TooManyAttempts {
            retry_after: state.config.failure_window_secs,
        });
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
    let token = new_token();
    let session = NewSession {
        token_hash: token_hash(&token),
        user_id: user.id,
        created_at: now,
        expires_at: now + state.config.session_ttl_secs,
    };
    let mut ev = ctx.event(AuthEventKind::SignIn, now);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.actor_id = Some(user.id);
    state
        .store
        .create_session(&session, ctx.session.as_deref(), &ev)
        .await?;
    Ok((token, user))
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
