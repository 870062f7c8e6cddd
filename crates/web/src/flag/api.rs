//! JSON routes of red flags.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::flag::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use sunledger_core::day;
use sunledger_store::{FlagRecord, FlagSettings, ScanReport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_flags))
        .routes(routes!(get_flags_csv))
        .routes(routes!(get_flags_xlsx))
        .routes(routes!(get_flag))
        .routes(routes!(flag_step))
        .routes(routes!(get_rules))
        .routes(routes!(post_settings))
        .routes(routes!(post_scan))
}

/// The flags in the caller's areas: open first, by severity, newest first.
#[utoipa::path(get, path = "/api/v1/flags", tag = "flag", params(ops::FlagQuery),
    responses((status = 200, body = ops::FlagList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_flags(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::FlagQuery>,
) -> ApiResult<Json<ops::FlagList>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::FlagQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all(state, ctx, q).await?;
    let (h, rows) = export::flag_table(ctx.lang, &rows);
    let stem = format!("sunledger-flags-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The flags as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/flags.csv", tag = "flag", params(ops::FlagQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_flags_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::FlagQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The flags as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/flags.xlsx", tag = "flag", params(ops::FlagQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_flags_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::FlagQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A flag with its evidence (the rows and figures it rests on, the parameter values and the log
/// size it was computed at) and its steps.
#[utoipa::path(get, path = "/api/v1/flags/{id}", tag = "flag", params(("id" = i64, Path)),
    responses((status = 200, body = FlagRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_flag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<FlagRecord>> {
    let fid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, fid).await;
    api(&ctx, r)
}

/// A step of a flag: triage; dismiss (a reason is required); open a case (a Book 3 problem with
/// the evidence, the responsible unit and the people Book 2 names).
#[utoipa::path(post, path = "/api/v1/flags/{id}/steps", tag = "flag", params(("id" = i64, Path)), request_body = ops::StepInput,
    responses((status = 200, body = FlagRecord), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn flag_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::StepInput>,
) -> ApiResult<Json<FlagRecord>> {
    let fid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, fid, &b).await;
    api(&ctx, r)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulesQuery {
    /// The region whose county's values to show.
    pub region: Option<String>,
}

/// The rules with their citations, parameters (default and in force), and their flags by state.
#[utoipa::path(get, path = "/api/v1/flag-rules", tag = "flag", params(RulesQuery),
    responses((status = 200, body = ops::RulesView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RulesQuery>,
) -> ApiResult<Json<ops::RulesView>> {
    let r = ops::rules_view(&state, &ctx, q.region.as_deref()).await;
    api(&ctx, r)
}

/// Books a settings document for a city or county: `rule.param = value` lines, each checked
/// (a wrong line is named). The latest document of a region is in force.
#[utoipa::path(post, path = "/api/v1/flag-settings", tag = "flag", request_body = ops::SettingsInput,
    responses((status = 200, body = FlagSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::SettingsInput>,
) -> ApiResult<Json<FlagSettings>> {
    let r = ops::set_settings(&state, &ctx, &b).await;
    api(&ctx, r)
}

/// Scans the counties of a region now (every rule, or one); the same hit never raises a second
/// flag.
#[utoipa::path(post, path = "/api/v1/flags/scan", tag = "flag", request_body = ops::ScanInput,
    responses((status = 200, body = Vec<ScanReport>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_scan(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::ScanInput>,
) -> ApiResult<Json<Vec<ScanReport>>> {
    let r = ops::scan(&state, &ctx, &b).await;
    api(&ctx, r)
}
