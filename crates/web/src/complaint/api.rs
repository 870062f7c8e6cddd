//! JSON routes of complaints: the handling unit's (internal) and the public's (no account: filing,
//! and the receipt code with its PIN).
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::complaint::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use sunledger_store::{ComplaintRecord, PublishedComplaint};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_complaints, take_complaint))
        .routes(routes!(get_complaints_csv))
        .routes(routes!(get_complaints_xlsx))
        .routes(routes!(get_complaint_stats))
        .routes(routes!(get_complaint))
        .routes(routes!(complaint_steps))
        .routes(routes!(complaint_publication))
        .routes(routes!(published, file_complaint))
        .routes(routes!(lookup))
        .routes(routes!(complainant_steps))
}

/// The complaints the caller's unit handles, with their clocks: the unit's running clocks first,
/// soonest due.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaint", params(ops::ComplaintQuery),
    responses((status = 200, body = Vec<ops::QueueRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_complaints(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ComplaintQuery>,
) -> ApiResult<Json<Vec<ops::QueueRow>>> {
    let r = ops::queue(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Takes down a complaint made by telephone (the 12317 hotline or another line), letter or
/// visit: routed like the public's, with a receipt code and PIN to give the complainant.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaint", request_body = ops::IntakeInput,
    responses((status = 201, body = ops::Filed), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn take_complaint(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::IntakeInput>,
) -> ApiResult<Response> {
    let r = ops::intake(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::ComplaintQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::queue(state, ctx, q).await?;
    let (h, rows) = export::complaint_table(ctx.lang, &rows);
    let stem = format!("sunledger-complaints-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The complaint ledger as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/complaints.csv", tag = "complaint", params(ops::ComplaintQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_complaints_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ComplaintQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The complaint ledger as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/complaints.xlsx", tag = "complaint", params(ops::ComplaintQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_complaints_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ComplaintQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Counts by county and category of the complaints the caller handles: received, open, overdue,
/// answered, answered on time, substantiated.
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "complaint", params(ops::ComplaintQuery),
    responses((status = 200, body = Vec<ops::Stat>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_complaint_stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ComplaintQuery>,
) -> ApiResult<Json<Vec<ops::Stat>>> {
    let r = async {
        let rows = ops::queue(&state, &ctx, &q).await?;
        ops::stats(&state, &rows).await
    }
    .await;
    api(&ctx, r)
}

/// A complaint with its steps, files and publication (the complainant's identity included: only
/// the handling unit and those above it see it).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaint", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<ComplaintRecord>> {
    let cid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, cid).await;
    api(&ctx, r)
}

/// A handling step: accept, refer, transfer, investigate, pause and resume the clock, extend once,
/// answer with a finding (one that finds the facts opens a Book 3 problem), merge a duplicate,
/// record a review; a supervisor above the unit escalates an overdue one.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/steps", tag = "complaint", params(("id" = i64, Path)), request_body = ops::StepInput,
    responses((status = 200, body = ComplaintRecord), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complaint_steps(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::StepInput>,
) -> ApiResult<Json<ComplaintRecord>> {
    let cid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, cid, &b).await;
    api(&ctx, r)
}

/// Publishes an answered complaint on the public portal without the complainant: what was found
/// and what was done.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/publication", tag = "complaint", params(("id" = i64, Path)), request_body = ops::PublishInput,
    responses((status = 200, body = ComplaintRecord), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complaint_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::PublishInput>,
) -> ApiResult<Json<ComplaintRecord>> {
    let cid = id(&ctx, &raw)?;
    let r = ops::publish(&state, &ctx, cid, &b).await;
    api(&ctx, r)
}

/// Published complaints, newest first: category, village, what was found and what was done (no
/// complainant, no receipt code).
#[utoipa::path(get, path = "/api/v1/public/complaints", tag = "public",
    responses((status = 200, body = Vec<PublishedComplaint>)))]
async fn published(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<PublishedComplaint>>> {
    let r = state
        .store
        .published_complaints(None, 200)
        .await
        .map_err(WebError::from);
    api(&ctx, r)
}

/// Files a complaint without an account (photos go through the page's form). Answers the
/// receipt code and the PIN, shown once; limited per address.
#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public", request_body = ops::FileInput,
    responses((status = 201, body = ops::Filed), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn file_complaint(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::FileInput>,
) -> ApiResult<Response> {
    let r = ops::file_public(&state, &ctx, &b, Vec::new()).await;
    created(&ctx, r)
}

/// The complainant's view of their complaint, with the receipt code and PIN (a wrong PIN and an
/// unknown code get the same 404; failures are limited per address and per code).
#[utoipa::path(post, path = "/api/v1/public/complaints/lookup", tag = "public", request_body = ops::CodePin,
    responses((status = 200, body = ops::PublicStatus), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::CodePin>,
) -> ApiResult<Json<ops::PublicStatus>> {
    let r = ops::lookup(&state, &ctx, &b).await;
    api(&ctx, r)
}

/// The complainant's own step, with the code and PIN: accept the answer, ask for a review or a
/// re-review within the window, or give what the unit waited for.
#[utoipa::path(post, path = "/api/v1/public/complaints/steps", tag = "public", request_body = ops::ComplainantStep,
    responses((status = 200, body = ops::PublicStatus), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn complainant_steps(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::ComplainantStep>,
) -> ApiResult<Json<ops::PublicStatus>> {
    let r = ops::complainant_step(&state, &ctx, &b).await;
    api(&ctx, r)
}
