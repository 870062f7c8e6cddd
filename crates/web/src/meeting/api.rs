//! JSON routes of village meetings (internal: a meeting's named ballots are never public).
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::meeting::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use sunledger_store::{Meeting, MeetingItem, MeetingRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, call_meeting))
        .routes(routes!(get_meetings_csv))
        .routes(routes!(get_meetings_xlsx))
        .routes(routes!(get_meeting))
        .routes(routes!(attendance))
        .routes(routes!(items))
        .routes(routes!(minutes))
        .routes(routes!(confirmations))
}

/// The meetings of the villages in the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meeting", params(ops::MeetingQuery),
    responses((status = 200, body = ops::MeetingList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_meetings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::MeetingQuery>,
) -> ApiResult<Json<ops::MeetingList>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Calls a meeting of a village (the village cadre, the township): the roster is frozen now —
/// the register's households for a villagers' meeting counted by households, else the members
/// named. A villagers' meeting is called 10 days ahead.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meeting", request_body = ops::CallInput,
    responses((status = 200, body = Meeting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn call_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::CallInput>,
) -> ApiResult<Json<Meeting>> {
    let r = ops::call(&state, &ctx, &b).await;
    api(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::MeetingQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all(state, ctx, q).await?;
    let (h, rows) = export::meeting_table(ctx.lang, &rows);
    let stem = format!("sunledger-meetings-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The meetings as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/meetings.csv", tag = "meeting", params(ops::MeetingQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_meetings_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::MeetingQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The meetings as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/meetings.xlsx", tag = "meeting", params(ops::MeetingQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_meetings_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::MeetingQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A meeting with its roster (attendance, confirmations), its items and votes, its minutes and,
/// in named-vote mode, the ballots (internal only).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meeting", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<MeetingRecord>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, mid).await;
    api(&ctx, r)
}

/// Ticks roster lines present (or not), all in one booking; the quorum is computed again.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendance", tag = "meeting", params(("id" = i64, Path)), request_body = ops::AttendanceInput,
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AttendanceInput>,
) -> ApiResult<Json<Meeting>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::attend(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}

/// Records an agenda item; a decision with its tally (blank counts are none) or, in named-vote
/// mode, each attendee's ballot. Decided by more than half of those present; void without a
/// quorum.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items", tag = "meeting", params(("id" = i64, Path)), request_body = ops::ItemInput,
    responses((status = 200, body = MeetingItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn items(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ItemInput>,
) -> ApiResult<Json<MeetingItem>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::item(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}

/// Records the minutes (a new version replaces the earlier; its SHA-256 goes into the log).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes", tag = "meeting", params(("id" = i64, Path)), request_body = ops::MinutesInput,
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::MinutesInput>,
) -> ApiResult<Json<Meeting>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::minutes(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}

/// Records an attendee's confirmation of the minutes as they stand (their hash).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/confirmations", tag = "meeting", params(("id" = i64, Path)), request_body = ops::ConfirmInput,
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirmations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ConfirmInput>,
) -> ApiResult<Json<Meeting>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::confirm(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}
