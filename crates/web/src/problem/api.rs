//! JSON routes of Book 3 (the problem rectification ledger).
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::problem::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problems_csv))
        .routes(routes!(get_problems_xlsx))
        .routes(routes!(get_problem))
        .routes(routes!(problem_action))
}

/// Book 3 in the caller's areas: open problems first, by deadline.
#[utoipa::path(get, path = "/api/v1/problems", tag = "supervision", params(ops::ProblemQuery),
    responses((status = 200, body = ops::ProblemLedger), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_problems(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ProblemQuery>,
) -> ApiResult<Json<ops::ProblemLedger>> {
    let r = ops::problems(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Records a problem found (a finding): category, severity, responsible unit and person, amount
/// involved, deadline.
#[utoipa::path(post, path = "/api/v1/problems", tag = "supervision", request_body = ops::ProblemInput,
    responses((status = 201, body = sunledger_store::Problem), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_problem(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::ProblemInput>,
) -> ApiResult<Response> {
    let r = ops::create_problem(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn problems_download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::ProblemQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all_problems(state, ctx, q).await?;
    let (h, rows) = export::problem_table(ctx.lang, &state.store.region_names().await?, &rows);
    let stem = format!("sunledger-problems-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// Book 3 as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/problems.csv", tag = "supervision", params(ops::ProblemQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_problems_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ProblemQuery>,
) -> ApiResult<Response> {
    problems_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 3 as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/problems.xlsx", tag = "supervision", params(ops::ProblemQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_problems_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::ProblemQuery>,
) -> ApiResult<Response> {
    problems_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A problem with its lifecycle, its escalations, the proposals and the steps due today.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = ops::ProblemView), (status = 404, body = ErrorBody)))]
async fn get_problem(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<ops::ProblemView>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::view(&state, &ctx, pid).await;
    api(&ctx, r)
}

/// A lifecycle step: start or submit (the responsible unit), verify, reject or reopen (the
/// inspectors). Verifying resumes payments suspended on the problem's ladder.
#[utoipa::path(post, path = "/api/v1/problems/{id}/actions", tag = "supervision", params(("id" = i64, Path)), request_body = ops::ProblemActionInput,
    responses((status = 200, body = sunledger_store::Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn problem_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ProblemActionInput>,
) -> ApiResult<Json<sunledger_store::Problem>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::problem_action(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}
