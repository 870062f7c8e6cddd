//! JSON routes of Book 2 and responsibility letters.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::responsibility::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assign_responsibility))
        .routes(routes!(end_responsibility))
        .routes(routes!(list_responsibilities))
        .routes(routes!(get_responsibilities_csv))
        .routes(routes!(get_responsibilities_xlsx))
        .routes(routes!(list_letters, create_letter))
        .routes(routes!(get_letter))
}

/// Names a responsible person for a project (Book 2; county poverty alleviation bureau).
#[utoipa::path(post, path = "/api/v1/projects/{id}/responsibilities", tag = "responsibility", params(("id" = i64, Path)), request_body = ops::ResponsibilityInput,
    responses((status = 201, body = sunledger_store::Responsibility), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_responsibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ResponsibilityInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::assign(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Ends a responsibility on a day (handover); the row stays in Book 2 for life.
#[utoipa::path(post, path = "/api/v1/responsibilities/{id}/end", tag = "responsibility", params(("id" = i64, Path)), request_body = ops::EndInput,
    responses((status = 200, body = sunledger_store::Responsibility), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn end_responsibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::EndInput>,
) -> ApiResult<Json<sunledger_store::Responsibility>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::end(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// Book 2 in the caller's areas: who was responsible for which project, from when to when.
/// `on` answers "who was responsible on day D"; `person` "every project P was responsible for".
#[utoipa::path(get, path = "/api/v1/responsibilities", tag = "responsibility", params(ops::BookQuery),
    responses((status = 200, body = Vec<sunledger_store::Responsibility>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_responsibilities(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::BookQuery>,
) -> ApiResult<Json<Vec<sunledger_store::Responsibility>>> {
    let r = ops::book(&state, &ctx, &q).await;
    api(&ctx, r)
}

async fn book_download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::BookQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::book(state, ctx, q).await?;
    let (h, rows) = export::book_table(ctx.lang, &state.store.region_names().await?, &rows);
    let stem = format!("sunledger-responsibility-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// Book 2 as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/responsibilities.csv", tag = "responsibility", params(ops::BookQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_responsibilities_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::BookQuery>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 2 as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/responsibilities.xlsx", tag = "responsibility", params(ops::BookQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_responsibilities_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::BookQuery>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Responsibility letters in the caller's areas.
#[utoipa::path(get, path = "/api/v1/responsibility-letters", tag = "responsibility", params(ops::LetterQuery),
    responses((status = 200, body = Vec<sunledger_store::ResponsibilityLetter>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_letters(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::LetterQuery>,
) -> ApiResult<Json<Vec<sunledger_store::ResponsibilityLetter>>> {
    let r = ops::letters(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Files a responsibility letter signed between the county poverty alleviation bureau and a
/// township's party committee and government; its text's SHA-256 goes into the log.
#[utoipa::path(post, path = "/api/v1/responsibility-letters", tag = "responsibility", request_body = ops::LetterInput,
    responses((status = 201, body = sunledger_store::ResponsibilityLetter), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::LetterInput>,
) -> ApiResult<Response> {
    let r = ops::file_letter(&state, &ctx, &b).await;
    created(&ctx, r)
}

/// One responsibility letter with its text.
#[utoipa::path(get, path = "/api/v1/responsibility-letters/{id}", tag = "responsibility", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::ResponsibilityLetter), (status = 404, body = ErrorBody)))]
async fn get_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::ResponsibilityLetter>> {
    let lid = id(&ctx, &raw)?;
    let r = ops::letter(&state, &ctx, lid).await;
    api(&ctx, r)
}
