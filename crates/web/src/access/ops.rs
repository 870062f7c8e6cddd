//! Operations on accounts and grants (administrators) and the access record.
use crate::AppState;
use crate::access::auth::{check_password_policy, check_username, hash_password};
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::parse_region;
use sunledger_core::{Grant, Permission, Role};
use sunledger_store::{AuthEvent, AuthEventKind, GrantRow, NewGrant, NewUser, User};

/// An account the actor may manage (hidden as `NotFound` otherwise).
pub async fn managed_user(state: &AppState, ctx: &Ctx, id: i64) -> Result<User, WebError> {
    let u = state.store.user(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ManageUsers, &u.region)?;
    Ok(u)
}

pub async fn users(state: &AppState, ctx: &Ctx) -> Result<Vec<User>, WebError> {
    ctx.require_user()?;
    let scopes = ctx.actor.scopes(Permission::ManageUsers);
    if scopes.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(state.store.users_within(&scopes).await?)
}

pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub region: String,
}

pub async fn create_user(state: &AppState, ctx: &Ctx, input: UserInput) -> Result<User, WebError> {
    ctx.require_user()?;
    let region = parse_region(&input.region)?;
    ctx.require(Permission::ManageUsers, &region)?;
    if state.store.region(&region).await?.is_none() {
        return Err(WebError::invalid(
            "region",
            "unknown_region",
            region.as_str(),
        ));
    }
    let username = input.username.trim().to_string();
    check_username(&username)?;
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() {
        return Err(WebError::invalid("display_name", "empty", ""));
    }
    check_password_policy(&input.password)?;
    let pw = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let mut ev = ctx.event(AuthEventKind::UserAdded, state.now());
    ev.username = Some(username.clone());
    ev.region = Some(region);
    let u = NewUser {
        username,
        display_name,
        password_hash: hash,
        region,
        person_id: None,
    };
    Ok(state.store.create_user(&u, &ev).await?)
}

pub async fn add_grant(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    role: &str,
    region: &str,
) -> Result<GrantRow, WebError> {
    let user = managed_user(state, ctx, user_id).await?;
    let role = Role::parse(role)?;
    let region = parse_region(region)?;
    if state.store.region(&region).await?.is_none() {
        return Err(WebError::invalid(
            "region",
            "unknown_region",
            region.as_str(),
        ));
    }
    if !ctx.actor.may_grant(&Grant { role, region }) {
        return Err(WebError::Forbidden);
    }
    let now = state.now();
    let mut ev = ctx.event(AuthEventKind::Grant, now);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.detail = format!("{} @ {}", role.key(), region);
    let g = NewGrant {
        user_id,
        role,
        region,
        granted_by: ctx.user.as_ref().map(|u| u.id),
    };
    Ok(state.store.add_grant(&g, now, &ev).await?)
}

pub async fn revoke_grant(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    grant_id: i64,
) -> Result<(), WebError> {
    let user = managed_user(state, ctx, user_id).await?;
    let g = state
        .store
        .grant(grant_id)
        .await?
        .filter(|g| g.user_id == user.id)
        .ok_or(WebError::NotFound)?;
    ctx.require(Permission::ManageUsers, &g.region)?;
    let now = state.now();
    let mut ev = ctx.event(AuthEventKind::Revoke, now);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.detail = format!("{} @ {}", g.role, g.region);
    if !state
        .store
        .revoke_grant(grant_id, ctx.user.as_ref().map(|u| u.id), now, &ev)
        .await?
    {
        return Err(WebError::Conflict {
            field: "grant".into(),
        });
    }
    Ok(())
}

pub async fn auth_events(
    state: &AppState,
    ctx: &Ctx,
    limit: i64,
) -> Result<Vec<AuthEvent>, WebError> {
    ctx.require_user()?;
    let scopes = ctx.actor.scopes(Permission::ViewAuthEvents);
    if scopes.is_empty() {
        return Err(WebError::Forbidden);
    }
    // Failed sign-ins for unknown usernames belong to no region: only city-wide readers see them.
    let include_unknown = scopes
        .iter()
        .any(|s| s.level() <= sunledger_core::Level::City);
    Ok(state
        .store
        .auth_events_within(&scopes, include_unknown, limit.clamp(1, 1000))
        .await?)
}
