//! The JSON routes of accounts: the second step of a sign-in, a person's sessions and second
//! factor, disabling accounts and the sign-in limits (merged into the API router by `api.rs`,
//! each registered through `routes!` with its documentation).
use crate::AppState;
use crate::access::api::signed_in_response;
use crate::access::auth::{TotpSetup, TotpStatus};
use crate::access::{api, auth};
use crate::app::api::{ApiJson, Path};
use crate::app::ctx;
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sunledger_store::{SessionInfo, SignInLimit, User};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(second_step))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(get_second_factor, start_second_factor))
        .routes(routes!(confirm_second_factor))
        .routes(routes!(remove_second_factor))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(list_sign_in_limits))
        .routes(routes!(clear_sign_in_limit))
}

type ApiResult<T> = Result<T, ApiError>;

fn err(ctx: &Ctx) -> impl Fn(WebError) -> ApiError + '_ {
    move |e| ApiError(e, ctx.lang)
}

fn id(ctx: &Ctx, s: &str) -> ApiResult<i64> {
    s.parse()
        .map_err(|_| ApiError(WebError::NotFound, ctx.lang))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeBody {
    /// A 6-digit TOTP code, or a recovery code such as `k7qm-2x4p-9fhd`.
    otp: String,
}

/// The second step of a sign-in: the TOTP code (each code once) or a recovery code (each once),
/// sent with the pending session cookie of `POST /api/v1/session`. Five wrong codes end the
/// pending sign-in.
#[utoipa::path(post, path = "/api/v1/session/second-step", tag = "session", request_body = CodeBody,
    responses((status = 200, description = "Signed in", body = api::Me),
        (status = 401, description = "No pending sign-in (it expired, ended after five wrong codes, or never began)", body = ErrorBody),
        (status = 422, description = "Wrong code (`invalid`, field `otp`), or a bad body (`bad_request`)", body = ErrorBody)))]
async fn second_step(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<Response> {
    let signed = auth::second_step(&state, &ctx, &b.otp)
        .await
        .map_err(err(&ctx))?;
    signed_in_response(&state, &ctx, signed).await
}

/// The signed-in person's sessions (the one making the request is marked `current`).
#[utoipa::path(get, path = "/api/v1/account/sessions", tag = "session",
    responses((status = 200, body = Vec<SessionInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn list_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    auth::my_sessions(&state, &ctx)
        .await
        .map(Json)
        .map_err(err(&ctx))
}

/// Ends one of the signed-in person's sessions at once (recorded).
#[utoipa::path(delete, path = "/api/v1/account/sessions/{id}", tag = "session",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses((status = 204, description = "Ended"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such session of this person", body = ErrorBody)))]
async fn end_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    auth::end_my_session(&state, &ctx, &sid)
        .await
        .map_err(err(&ctx))?;
    if ctx.session_id.as_deref() == Some(sid.as_str()) {
        return Ok((
            StatusCode::NO_CONTENT,
            [(header::SET_COOKIE, ctx::clear_session_cookie(&state))],
        )
            .into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The signed-in person's second factor: enrolled or not, required or not, recovery codes left,
/// and the secret being set up.
#[utoipa::path(get, path = "/api/v1/account/second-factor", tag = "session",
    responses((status = 200, body = TotpStatus),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn get_second_factor(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<TotpStatus>> {
    auth::totp_status(&state, &ctx)
        .await
        .map(Json)
        .map_err(err(&ctx))
}

/// Starts enrolling a TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s): a new secret as an
/// `otpauth://` URI and base32 text, to confirm with a code. Starting again replaces an
/// unconfirmed secret.
#[utoipa::path(post, path = "/api/v1/account/second-factor", tag = "session",
    responses((status = 201, body = TotpSetup),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "A second factor is already enrolled (field `totp`)", body = ErrorBody)))]
async fn start_second_factor(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    let setup = auth::start_totp(&state, &ctx).await.map_err(err(&ctx))?;
    Ok((StatusCode::CREATED, Json(setup)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-time codes, shown only now (the server keeps their hashes).
    recovery_codes: Vec<String>,
}

/// Confirms the secret being enrolled with a current code; answers the recovery codes (recorded).
#[utoipa::path(post, path = "/api/v1/account/second-factor/confirm", tag = "session", request_body = CodeBody,
    responses((status = 200, body = RecoveryCodes),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "No secret is being set up (field `totp`)", body = ErrorBody),
        (status = 422, description = "Wrong code (`invalid`, field `otp`), or a bad body", body = ErrorBody)))]
async fn confirm_second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<Json<RecoveryCodes>> {
    auth::confirm_totp(&state, &ctx, &b.otp)
        .await
        .map(|recovery_codes| Json(RecoveryCodes { recovery_codes }))
        .map_err(err(&ctx))
}

/// Removes the person's second factor, proven with a current code or a recovery code (recorded).
#[utoipa::path(post, path = "/api/v1/account/second-factor/remove", tag = "session", request_body = CodeBody,
    responses((status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No second factor is enrolled", body = ErrorBody),
        (status = 422, description = "Wrong code (`invalid`, field `otp`), or a bad body", body = ErrorBody)))]
async fn remove_second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<StatusCode> {
    auth::remove_totp(&state, &ctx, &b.otp)
        .await
        .map_err(err(&ctx))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    /// Why (kept in the record and the log; may be empty).
    #[serde(default)]
    reason: String,
}

/// Disables an account: its sessions end at once and it cannot sign in; booked in the log
/// (`account_status`) and recorded. Administrators of its home region.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "accounts", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = User),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such account in the caller's administered areas", body = ErrorBody),
        (status = 409, description = "Already disabled (field `disabled`)", body = ErrorBody),
        (status = 422, description = "Administrators cannot disable themselves (field `user`), or a bad body", body = ErrorBody)))]
async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<User>> {
    let uid = id(&ctx, &raw)?;
    auth::set_disabled(&state, &ctx, uid, true, &b.reason)
        .await
        .map(Json)
        .map_err(err(&ctx))
}

/// Enables a disabled account again; booked in the log and recorded.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "accounts", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = User),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such account in the caller's administered areas", body = ErrorBody),
        (status = 409, description = "Not disabled (field `disabled`)", body = ErrorBody),
        (status = 422, description = "A bad body", body = ErrorBody)))]
async fn enable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<User>> {
    let uid = id(&ctx, &raw)?;
    auth::set_disabled(&state, &ctx, uid, false, &b.reason)
        .await
        .map(Json)
        .map_err(err(&ctx))
}

/// The sign-in limits holding now over accounts the caller administers (address-only ones and
/// unknown usernames for city-wide administrators).
#[utoipa::path(get, path = "/api/v1/sign-in-limits", tag = "accounts",
    responses((status = 200, body = Vec<SignInLimit>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_sign_in_limits(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<SignInLimit>>> {
    auth::sign_in_limits(&state, &ctx)
        .await
        .map(Json)
        .map_err(err(&ctx))
}

/// Clears a sign-in limit (recorded).
#[utoipa::path(delete, path = "/api/v1/sign-in-limits/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204, description = "Cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such limit in the caller's areas", body = ErrorBody)))]
async fn clear_sign_in_limit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<StatusCode> {
    let lid = id(&ctx, &raw)?;
    auth::clear_sign_in_limit(&state, &ctx, lid)
        .await
        .map_err(err(&ctx))?;
    Ok(StatusCode::NO_CONTENT)
}
