//! JSON routes of inspections, their coverage and spot-check draws.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::inspection::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_inspections, create_inspection))
        .routes(routes!(get_inspections_csv))
        .routes(routes!(get_inspections_xlsx))
        .routes(routes!(get_inspection))
        .routes(routes!(complete_inspection))
        .routes(routes!(get_coverage))
        .routes(routes!(list_draws, create_draw))
}

// --- Supervision ------------------------------------------------------------------------------

/// Inspections in the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "supervision", params(ops::RegionQuery),
    responses((status = 200, body = Vec<sunledger_store::Inspection>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_inspections(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RegionQuery>,
) -> ApiResult<Json<Vec<sunledger_store::Inspection>>> {
    let r = ops::inspections(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Plans an inspection, or records one done (with `done_on` and `findings`): team, lead
/// departments, what and when. Discipline, poverty bureau, finance, municipal bureau.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "supervision", request_body = ops::InspectionInput,
    responses((status = 201, body = sunledger_store::Inspection), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::InspectionInput>,
) -> ApiResult<Response> {
    let r = ops::create_inspection(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn inspections_download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::RegionQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all_inspections(state, ctx, q).await?;
    let (h, rows) = export::inspection_table(ctx.lang, &state.store.region_names().await?, &rows);
    let stem = format!("sunledger-inspections-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The inspection record as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/inspections.csv", tag = "supervision", params(ops::RegionQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_inspections_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RegionQuery>,
) -> ApiResult<Response> {
    inspections_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The inspection record as XLSX.
#[utoipa::path(get, path = "/api/v1/inspections.xlsx", tag = "supervision", params(ops::RegionQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_inspections_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RegionQuery>,
) -> ApiResult<Response> {
    inspections_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// One inspection.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::Inspection), (status = 404, body = ErrorBody)))]
async fn get_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::Inspection>> {
    let iid = id(&ctx, &raw)?;
    let r = ops::visible_inspection(&state, &ctx, iid).await;
    api(&ctx, r)
}

/// Records that a planned inspection was done, with its findings (once).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/done", tag = "supervision", params(("id" = i64, Path)), request_body = ops::DoneInput,
    responses((status = 200, body = sunledger_store::Inspection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::DoneInput>,
) -> ApiResult<Json<sunledger_store::Inspection>> {
    let iid = id(&ctx, &raw)?;
    let r = ops::complete_inspection(&state, &ctx, iid, &b).await;
    api(&ctx, r)
}

/// Quarterly coverage: for each county in the caller's areas, inspections done in the current
/// quarter and the three before it, and whether it is behind (at least one a quarter).
#[utoipa::path(get, path = "/api/v1/coverage", tag = "supervision", params(ops::RegionQuery),
    responses((status = 200, body = Vec<ops::CountyCoverage>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_coverage(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RegionQuery>,
) -> ApiResult<Json<Vec<ops::CountyCoverage>>> {
    let r = ops::coverage(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Spot-check draws in the caller's areas (the municipal bureau's).
#[utoipa::path(get, path = "/api/v1/spot-draws", tag = "supervision", params(ops::RegionQuery),
    responses((status = 200, body = Vec<sunledger_store::SpotDraw>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_draws(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RegionQuery>,
) -> ApiResult<Json<Vec<sunledger_store::SpotDraw>>> {
    let r = ops::draws(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Draws a spot-check sample from a published seed and rules (municipal bureau); the draw is in
/// the log before any inspection uses it. Anyone can re-derive it (see docs/SUPERVISION.md).
#[utoipa::path(post, path = "/api/v1/spot-draws", tag = "supervision", request_body = ops::DrawInput,
    responses((status = 201, body = sunledger_store::SpotDraw), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_draw(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::DrawInput>,
) -> ApiResult<Response> {
    let r = ops::draw(&state, &ctx, &b).await;
    created(&ctx, r)
}
