//! JSON routes of project assets.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::asset::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assets, register_asset))
        .routes(routes!(get_assets_csv))
        .routes(routes!(get_assets_xlsx))
        .routes(routes!(get_asset))
        .routes(routes!(asset_step))
}

/// The asset registers in the caller's areas: a page of assets by number, and the totals of
/// the assets in service by class, owner level and region (always the sum of the village
/// registers).
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(ops::AssetQuery),
    responses((status = 200, body = ops::AssetRegister), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_assets(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AssetQuery>,
) -> ApiResult<Json<ops::AssetRegister>> {
    let r = ops::register_view(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Registers an asset of an accepted or evaluated project (the county poverty alleviation
/// bureau): class, quantity, the original value by fund source (within the approved budget),
/// owner, custodian and, for a productive asset, its income distribution.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = ops::AssetInput,
    responses((status = 201, body = sunledger_store::Asset), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::AssetInput>,
) -> ApiResult<Response> {
    let r = ops::register(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::AssetQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all_assets(state, ctx, q).await?;
    let (h, rows) = export::asset_table(ctx.lang, &state.store.region_names().await?, &rows);
    let stem = format!("sunledger-assets-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The asset registers as CSV (UTF-8 with BOM), in the filing columns, with the same filters.
#[utoipa::path(get, path = "/api/v1/assets.csv", tag = "assets", params(ops::AssetQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_assets_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AssetQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The asset registers as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/assets.xlsx", tag = "assets", params(ops::AssetQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_assets_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AssetQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// An asset with its history (every transfer and disposal with its decision).
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::AssetRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::AssetRecord>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::record(&state, &ctx, aid).await;
    api(&ctx, r)
}

/// A transfer (new owner and custodian; the county bureau) or a disposal (the county bureau or
/// government, never the one who registered the asset), each on a recorded decision: a meeting
/// with its date and minutes reference, or a document number, and the reason.
#[utoipa::path(post, path = "/api/v1/assets/{id}/actions", tag = "assets", params(("id" = i64, Path)), request_body = ops::AssetStepInput,
    responses((status = 200, body = sunledger_store::Asset), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn asset_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AssetStepInput>,
) -> ApiResult<Json<sunledger_store::Asset>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}
