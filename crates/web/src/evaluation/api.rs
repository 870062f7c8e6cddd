//! JSON routes of Book 4's evaluations.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::evaluation::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use sunledger_store::{Evaluation, EvaluationRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_evaluations))
        .routes(routes!(get_evaluations_csv))
        .routes(routes!(get_evaluations_xlsx))
        .routes(routes!(get_evaluation))
        .routes(routes!(record))
        .routes(routes!(send_back))
        .routes(routes!(review))
}

/// The evaluations in the caller's areas, earliest due first.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evaluation", params(ops::EvaluationQuery),
    responses((status = 200, body = ops::EvaluationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_evaluations(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::EvaluationQuery>,
) -> ApiResult<Json<ops::EvaluationList>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::EvaluationQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all(state, ctx, q).await?;
    let (h, rows) = export::evaluation_table(ctx.lang, &rows);
    let stem = format!("sunledger-evaluations-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The evaluations as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/evaluations.csv", tag = "evaluation", params(ops::EvaluationQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_evaluations_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::EvaluationQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The evaluations as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/evaluations.xlsx", tag = "evaluation", params(ops::EvaluationQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_evaluations_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::EvaluationQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// An evaluation with the indicators it scores, the values the system knows today, every
/// recording with its points per indicator (and the index of its leaf in the log), its steps.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = EvaluationRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_evaluation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<EvaluationRecord>> {
    let eid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, eid).await;
    api(&ctx, r)
}

/// Records the actual value of every indicator (the system's own where it knows them), with
/// evidence and the reason for any shortfall; the score is computed.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/record", tag = "evaluation", params(("id" = i64, Path)), request_body = ops::RecordInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::RecordInput>,
) -> ApiResult<Json<Evaluation>> {
    let eid = id(&ctx, &raw)?;
    let r = ops::record(&state, &ctx, eid, &b).await;
    api(&ctx, r)
}

/// The county bureau sends a recorded evaluation back to be recorded again, with the reason.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/return", tag = "evaluation", params(("id" = i64, Path)), request_body = ops::CommentInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn send_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::CommentInput>,
) -> ApiResult<Json<Evaluation>> {
    let eid = id(&ctx, &raw)?;
    let r = ops::send_back(&state, &ctx, eid, &b).await;
    api(&ctx, r)
}

/// The county bureau confirms a recorded evaluation (not the one who recorded it). Rated 差 or
/// with a core indicator missed, it opens a Book 3 problem.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/review", tag = "evaluation", params(("id" = i64, Path)), request_body = ops::CommentInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::CommentInput>,
) -> ApiResult<Json<Evaluation>> {
    let eid = id(&ctx, &raw)?;
    let r = ops::review(&state, &ctx, eid, &b).await;
    api(&ctx, r)
}
