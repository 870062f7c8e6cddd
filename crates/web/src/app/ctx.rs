//! The request context (`Ctx`: who acts, in which language, from where), cookies and the session
//! lookup that builds it.
use crate::AppState;
use crate::app::error;
use crate::app::error::WebError;
use crate::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use sunledger_core::{Actor, Grant, RegionCode, Role};
use sunledger_store::{AuthEventKind, NewAuthEvent, User};

pub const SESSION_COOKIE: &str = "sunledger_session";
pub const LANG_COOKIE: &str = "sunledger_lang";

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn new_token() -> String {
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
    /// The public id of the live session presented, if any.
    pub session_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// A sign-in waiting for its second step: the account and the wrong codes so far.
    pub pending: Option<(i64, i64)>,
    /// The account holds a role that needs a second factor and has none yet: it acts with no
    /// rights until it enrols.
    pub must_enrol: bool,
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
    type Rejection = error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let hint = lang_hint(&parts.uri, &parts.headers);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(200).collect::<String>());
        let session = cookie_value(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty())
            .map(token_hash);
        let err = |e: WebError| error::ApiError(e, hint.unwrap_or_default());
        let mut user = None;
        let mut session_id = None;
        let mut pending = None;
        if let Some(h) = &session {
            let live = state
                .store
                .live_session(h, state.now(), state.config.session_idle_secs)
                .await
                .map_err(|e| err(e.into()))?;
            if let Some(live) = live {
                session_id = Some(live.public_id.clone());
                if live.stage == "full" {
                    user = state
                        .store
                        .user(live.user_id)
                        .await
                        .map_err(|e| err(e.into()))?;
                } else {
                    pending = Some((live.user_id, live.tries));
                }
            }
        }
        let mut must_enrol = false;
        let actor = match &user {
            Some(u) => {
                let mut actor = actor_for(state, u).await.map_err(err)?;
                if needs_second_factor(state, &actor)
                    && !has_totp(state, u.id).await.map_err(err)?
                {
                    must_enrol = true;
                    actor.grants.clear();
                }
                actor
            }
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
            session_id,
            ip,
            user_agent,
            pending,
            must_enrol,
        })
    }
}

/// Whether a role of `actor` needs a second factor in this city.
pub fn needs_second_factor(state: &AppState, actor: &Actor) -> bool {
    !state.config.totp_required_roles.is_empty()
        && actor
            .grants
            .iter()
            .any(|g| state.config.totp_required_roles.contains(&g.role))
}

pub(crate) async fn has_totp(state: &AppState, user_id: i64) -> Result<bool, WebError> {
    Ok(state
        .store
        .totp(user_id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some()))
}
