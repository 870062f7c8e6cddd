//! JSON routes of Book 4 (acceptance).
use crate::AppState;
use crate::acceptance::{export, ops};
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use sunledger_store::{Acceptance, AcceptanceRecord, CountyRules};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_acceptances, apply))
        .routes(routes!(get_acceptances_csv))
        .routes(routes!(get_acceptances_xlsx))
        .routes(routes!(get_book))
        .routes(routes!(get_book_csv))
        .routes(routes!(get_book_xlsx))
        .routes(routes!(get_implemented))
        .routes(routes!(get_implemented_csv))
        .routes(routes!(get_implemented_xlsx))
        .routes(routes!(get_acceptance))
        .routes(routes!(precheck))
        .routes(routes!(form_team))
        .routes(routes!(inspect))
        .routes(routes!(sign))
        .routes(routes!(post_result))
        .routes(routes!(accept))
        .routes(routes!(get_rules, put_rules))
}

/// Book 4 in the caller's areas: acceptances by application day.
#[utoipa::path(get, path = "/api/v1/acceptances", tag = "acceptance", params(ops::AcceptanceQuery),
    responses((status = 200, body = ops::AcceptanceLedger), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_acceptances(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AcceptanceQuery>,
) -> ApiResult<Json<ops::AcceptanceLedger>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Applies for the acceptance of a completed project (the township or the implementing unit).
#[utoipa::path(post, path = "/api/v1/acceptances", tag = "acceptance", request_body = ops::ApplicationInput,
    responses((status = 201, body = Acceptance), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::ApplicationInput>,
) -> ApiResult<Response> {
    let r = ops::apply(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::AcceptanceQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::all(state, ctx, q).await?;
    let (h, rows) = export::acceptance_table(ctx.lang, &rows);
    let stem = format!("sunledger-acceptances-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// Book 4 as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances.csv", tag = "acceptance", params(ops::AcceptanceQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_acceptances_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AcceptanceQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 4 as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances.xlsx", tag = "acceptance", params(ops::AcceptanceQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_acceptances_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::AcceptanceQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 4 itself in the caller's areas, by region and application day: each project with its
/// application, team, signatures, grade, assets and each year's evaluation (a score only once
/// reviewed).
#[utoipa::path(get, path = "/api/v1/acceptances/book", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, body = ops::Book4Page), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_book(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Json<ops::Book4Page>> {
    let r = ops::book(&state, &ctx, &q, false).await;
    api(&ctx, r)
}

async fn book_download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::Book4Query,
    implemented: bool,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = ops::book_all(state, ctx, q, implemented).await?;
    let today = day::today_text(state.now());
    let (h, rows, name) = if implemented {
        let (h, r) = export::implemented_table(ctx.lang, &rows);
        (h, r, "implemented-projects")
    } else {
        let (h, r) = export::book4_table(ctx.lang, &today, &rows);
        (h, r, "book4")
    };
    let stem = format!("sunledger-{name}-{today}");
    table::table_download(xlsx, &stem, &h, &rows)
}

/// Book 4 itself as CSV (UTF-8 with BOM) in the filing columns, with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances/book.csv", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_book_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, false, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 4 itself as XLSX in the filing columns, with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances/book.xlsx", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_book_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, false, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The database of implemented projects (已实施项目库) in the caller's areas: the accepted and
/// evaluated projects with their benefits (beneficiary households, assets, the latest reviewed
/// evaluation) and performance targets.
#[utoipa::path(get, path = "/api/v1/acceptances/implemented", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, body = ops::Book4Page), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_implemented(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Json<ops::Book4Page>> {
    let r = ops::book(&state, &ctx, &q, true).await;
    api(&ctx, r)
}

/// The database of implemented projects as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances/implemented.csv", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_implemented_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, true, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The database of implemented projects as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/acceptances/implemented.xlsx", tag = "acceptance", params(ops::Book4Query),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_implemented_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::Book4Query>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, true, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// An acceptance with its steps, team, inspections and every member's sign-off (with the index
/// of its leaf in the log).
#[utoipa::path(get, path = "/api/v1/acceptances/{id}", tag = "acceptance", params(("id" = i64, Path)),
    responses((status = 200, body = AcceptanceRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_acceptance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<AcceptanceRecord>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, aid).await;
    api(&ctx, r)
}

/// The township's preliminary check (not by the applicant).
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/precheck", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::CommentInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn precheck(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::CommentInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::precheck(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// Forms the county's joint team (the poverty bureau): finance, the bureau and the business
/// department at least.
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/team", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::TeamInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn form_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::TeamInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::form_team(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// A team member records the inspection: checklist, grade, findings (a failed one with a
/// deadline; a Book 3 problem opens).
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/inspections", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::InspectionInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn inspect(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::InspectionInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::inspect(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// The signed-in team member signs the latest report: agree, or disagree with a reason.
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/signoffs", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::SignInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::SignInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::sign(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// Posts the signed result with its published notice (kind `acceptance`).
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/post", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::PostInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::PostInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::post(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// Accepts the project after the posting window with every objection answered: the retained
/// money may be paid.
#[utoipa::path(post, path = "/api/v1/acceptances/{id}/accept", tag = "acceptance", params(("id" = i64, Path)), request_body = ops::CommentInput,
    responses((status = 200, body = Acceptance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::CommentInput>,
) -> ApiResult<Json<Acceptance>> {
    let aid = id(&ctx, &raw)?;
    let r = ops::accept(&state, &ctx, aid, &b).await;
    api(&ctx, r)
}

/// A county's Book 4 numbers (the defaults when it set none), with their basis.
#[utoipa::path(get, path = "/api/v1/acceptance-rules/{county}", tag = "acceptance", params(("county" = String, Path)),
    responses((status = 200, body = CountyRules), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(county): Path<String>,
) -> ApiResult<Json<CountyRules>> {
    let r = ops::county_rules(&state, &ctx, &county).await;
    api(&ctx, r)
}

/// Sets a county's Book 4 numbers (the county poverty bureau), naming its basis.
#[utoipa::path(put, path = "/api/v1/acceptance-rules/{county}", tag = "acceptance", params(("county" = String, Path)), request_body = ops::RulesInput,
    responses((status = 200, body = CountyRules), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(county): Path<String>,
    ApiJson(b): ApiJson<ops::RulesInput>,
) -> ApiResult<Json<CountyRules>> {
    let r = ops::set_rules(&state, &ctx, &county, &b).await;
    api(&ctx, r)
}
