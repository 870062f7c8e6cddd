//! JSON routes of sign-in, sessions, accounts, grants and the access record.
use crate::AppState;
use crate::access::{auth, ops};
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx;
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sunledger_store::{AuthEvent, GrantRow, User};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, delete_session, get_session))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(create_grant))
        .routes(routes!(revoke_grant))
        .routes(routes!(list_auth_events))
}

#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    user: User,
    grants: Vec<GrantRow>,
}

/// The password step is done but the account has a second factor: send its code to
/// `POST /api/v1/session/second-step` with the (pending) session cookie just set.
#[derive(Serialize, ToSchema)]
pub struct SecondStepNeeded {
    /// Always `totp` (a TOTP code, or one of the account's recovery codes).
    second_factor: &'static str,
    /// Seconds the pending sign-in waits for the code.
    expires_in: i64,
}

/// Signs in and sets the session cookie (a new token at every sign-in). Every attempt counts
/// against the sign-in limits before the password is checked; a refused one answers 429 with
/// `Retry-After`. An account with a second factor answers 202 and a pending session.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, description = "Signed in", body = Me),
        (status = 202, description = "Password right; the second factor is awaited", body = SecondStepNeeded),
        (status = 401, description = "Wrong username or password (`bad_credentials`)", body = ErrorBody),
        (status = 422, description = "The body is not a sign-in (`bad_request`)", body = ErrorBody),
        (status = 429, description = "A sign-in limit holds (`too_many_attempts`); see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = i64, description = "Seconds until an attempt may be made")))))]
async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<Response> {
    let signed = auth::sign_in(&state, &ctx, &body.username, &body.password)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    signed_in_response(&state, &ctx, signed).await
}

/// The answer to a completed sign-in step: the cookie, and `Me` (or 202 while the second factor
/// is awaited).
pub(crate) async fn signed_in_response(
    state: &AppState,
    ctx: &Ctx,
    signed: auth::SignedIn,
) -> ApiResult<Response> {
    let cookie = ctx::session_cookie(&signed.token, state);
    if signed.second_step {
        let body = SecondStepNeeded {
            second_factor: "totp",
            expires_in: auth::SECOND_STEP_SECS,
        };
        return Ok((
            StatusCode::ACCEPTED,
            [(header::SET_COOKIE, cookie)],
            Json(body),
        )
            .into_response());
    }
    let user = signed.user;
    let grants = state
        .store
        .grants_of(user.id, false)
        .await
        .map_err(|e| ApiError(e.into(), ctx.lang))?;
    Ok(([(header::SET_COOKIE, cookie)], Json(Me { user, grants })).into_response())
}

/// Signs out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
async fn delete_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    auth::sign_out(&state, &ctx)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, ctx::clear_session_cookie(&state))],
    )
        .into_response())
}

/// The signed-in account and its active grants.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Me>> {
    let r = async {
        let user = ctx.require_user()?.clone();
        let grants = state.store.grants_of(user.id, false).await?;
        Ok(Me { user, grants })
    }
    .await;
    api(&ctx, r)
}

/// Accounts whose home region lies in the caller's administered areas.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<User>>> {
    let r = ops::users(&state, &ctx).await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    username: String,
    display_name: String,
    /// At least 10 characters.
    password: String,
    /// Home region code; must lie in the caller's administered areas.
    region: String,
}

/// Creates an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserBody,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<Response> {
    let input = ops::UserInput {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        region: b.region,
    };
    let u = ops::create_user(&state, &ctx, input)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct UserDetail {
    user: User,
    /// Every grant ever given, revoked ones included.
    grants: Vec<GrantRow>,
}

/// An account with its grant history (administrators of its home region).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<UserDetail>> {
    let uid = id(&ctx, &raw)?;
    let r = async {
        let user = ops::managed_user(&state, &ctx, uid).await?;
        let grants = state.store.grants_of(uid, true).await?;
        Ok(UserDetail { user, grants })
    }
    .await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewGrantBody {
    /// admin, municipal_bureau, party_government, discipline, finance, poverty_bureau,
    /// township_official, village_cadre, work_team.
    role: String,
    /// The subtree the role applies to.
    region: String,
}

/// Grants a role on a region subtree (recorded).
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "accounts", params(("id" = i64, Path)), request_body = NewGrantBody,
    responses((status = 201, body = GrantRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewGrantBody>,
) -> ApiResult<Response> {
    let uid = id(&ctx, &raw)?;
    let g = ops::add_grant(&state, &ctx, uid, &b.role, &b.region)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

/// Revokes a grant; it stays in the history (recorded).
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "accounts",
    params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw_user, raw_grant)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let uid = id(&ctx, &raw_user)?;
    let gid = id(&ctx, &raw_grant)?;
    ops::revoke_grant(&state, &ctx, uid, gid)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct Limit {
    /// At most this many, newest first (1 to 1000, default 200).
    limit: Option<i64>,
}

/// The record of sign-ins, failed sign-ins, grants and revocations in the caller's areas.
#[utoipa::path(get, path = "/api/v1/auth-events", tag = "accounts", params(Limit),
    responses((status = 200, body = Vec<AuthEvent>), (status = 403, body = ErrorBody)))]
async fn list_auth_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Limit>,
) -> ApiResult<Json<Vec<AuthEvent>>> {
    let r = ops::auth_events(&state, &ctx, q.limit.unwrap_or(200)).await;
    api(&ctx, r)
}
