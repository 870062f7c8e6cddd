//! JSON routes of the project library.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::project::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_core::day;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_projects_csv))
        .routes(routes!(get_projects_xlsx))
        .routes(routes!(get_project))
        .routes(routes!(revise_project))
        .routes(routes!(project_step))
        .routes(routes!(create_objection))
        .routes(routes!(answer_objection))
        .routes(routes!(create_milestone))
        .routes(routes!(report_progress))
        .routes(routes!(create_beneficiary))
}

// --- The project library and Book 2 ----------------------------------------------------------

/// The project library in the caller's areas, filtered, 50 a page.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ops::LibraryQuery),
    responses((status = 200, body = ops::Library), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::LibraryQuery>,
) -> ApiResult<Json<ops::Library>> {
    let r = ops::library(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// A village declares a project (or saves a draft): content with performance targets and the
/// villagers' meeting that decided it. Village cadres and resident work teams of the village.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ops::ProjectInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::ProjectInput>,
) -> ApiResult<Response> {
    let r = ops::create(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn library_download(
    state: &AppState,
    ctx: &Ctx,
    q: &ops::LibraryQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let projects = ops::all_projects(state, ctx, q).await?;
    let (h, rows) = export::library_table(state, ctx.lang, &projects).await?;
    let stem = format!("sunledger-projects-{}", day::today_text(state.now()));
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The project library as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/projects.csv", tag = "projects", params(ops::LibraryQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_projects_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::LibraryQuery>,
) -> ApiResult<Response> {
    library_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The project library as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/projects.xlsx", tag = "projects", params(ops::LibraryQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_projects_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::LibraryQuery>,
) -> ApiResult<Response> {
    library_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A project's whole record: versions, steps, objections, milestones, beneficiaries (full ID
/// numbers, for officials only), responsibilities, changes since approval, and its funding.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ops::ProjectView), (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<ops::ProjectView>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::view(&state, &ctx, pid).await;
    api(&ctx, r)
}

/// A new version of the content: by the village while a draft, returned or revoked; by the
/// township when the county returned it; by the county after approval (with a note).
#[utoipa::path(post, path = "/api/v1/projects/{id}/versions", tag = "projects", params(("id" = i64, Path)), request_body = ops::ProjectInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revise_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ProjectInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::revise(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// A step on the declaration path or of the implementation status.
#[utoipa::path(post, path = "/api/v1/projects/{id}/steps", tag = "projects", params(("id" = i64, Path)), request_body = ops::StepInput,
    responses((status = 200, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn project_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::StepInput>,
) -> ApiResult<Json<sunledger_store::Project>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}

/// Records an objection received during the project's public notice.
#[utoipa::path(post, path = "/api/v1/projects/{id}/objections", tag = "projects", params(("id" = i64, Path)), request_body = ops::ObjectionInput,
    responses((status = 201, body = sunledger_store::Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ObjectionInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::object(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Answers an objection (township or county).
#[utoipa::path(post, path = "/api/v1/objections/{id}/answer", tag = "projects", params(("id" = i64, Path)), request_body = ops::AnswerInput,
    responses((status = 200, body = sunledger_store::Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn answer_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AnswerInput>,
) -> ApiResult<Json<sunledger_store::Objection>> {
    let oid = id(&ctx, &raw)?;
    let r = ops::answer(&state, &ctx, oid, &b).await;
    api(&ctx, r)
}

/// Adds a weighted milestone to a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)), request_body = ops::MilestoneInput,
    responses((status = 201, body = sunledger_store::Milestone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::MilestoneInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::add_milestone(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// A dated progress report of a milestone; the project's progress rolls up.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/updates", tag = "projects", params(("id" = i64, Path)), request_body = ops::ProgressInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ProgressInput>,
) -> ApiResult<Response> {
    let mid = id(&ctx, &raw)?;
    let r = ops::report(&state, &ctx, mid, &b).await;
    created(&ctx, r)
}

/// Lists a beneficiary household (ID number checked; masked on any public view).
#[utoipa::path(post, path = "/api/v1/projects/{id}/beneficiaries", tag = "projects", params(("id" = i64, Path)), request_body = ops::BeneficiaryInput,
    responses((status = 201, body = sunledger_store::Beneficiary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_beneficiary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::BeneficiaryInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::add_beneficiary(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}
