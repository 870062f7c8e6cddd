//! JSON routes of the household appraisal.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::appraisal::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sunledger_store::{Applicant, CrosscheckList, Round, RoundRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds, open_round))
        .routes(routes!(get_round))
        .routes(routes!(get_round_csv))
        .routes(routes!(get_round_xlsx))
        .routes(routes!(apply))
        .routes(routes!(step))
        .routes(routes!(decide))
        .routes(routes!(vote))
        .routes(routes!(draw))
        .routes(routes!(check))
        .routes(routes!(answer))
        .routes(routes!(list_crosscheck_lists))
}

/// The appraisal rounds in the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/appraisals", tag = "appraisal", params(ops::RoundQuery),
    responses((status = 200, body = Vec<Round>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_rounds(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RoundQuery>,
) -> ApiResult<Json<Vec<Round>>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Opens a round for a village and year (identification or exit).
#[utoipa::path(post, path = "/api/v1/appraisals", tag = "appraisal", request_body = ops::OpenInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_round(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::OpenInput>,
) -> ApiResult<Json<Round>> {
    let r = ops::open(&state, &ctx, &b).await;
    api(&ctx, r)
}

/// A round with each applicant's path: hits and their decisions, votes, samples and checks,
/// steps, notices' objections (without the objector), the changes of the poor flag, and what
/// blocks the next step.
#[utoipa::path(get, path = "/api/v1/appraisals/{id}", tag = "appraisal", params(("id" = i64, Path)),
    responses((status = 200, body = RoundRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<RoundRecord>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, rid).await;
    api(&ctx, r)
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rid = raw.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let r = ops::visible(state, ctx, rid).await?;
    let (h, rows) = export::round_table(ctx.lang, &r);
    let stem = format!(
        "sunledger-appraisal-{}-{}",
        r.round.region.as_str(),
        r.round.year
    );
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The round as its filing table (one applicant a row, ID numbers masked), CSV.
#[utoipa::path(get, path = "/api/v1/appraisals/{id}/table.csv", tag = "appraisal", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_round_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    download(&state, &ctx, &raw, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The round as its filing table, XLSX.
#[utoipa::path(get, path = "/api/v1/appraisals/{id}/table.xlsx", tag = "appraisal", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_round_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    download(&state, &ctx, &raw, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Registers an application of a household of the round's village.
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/applicants", tag = "appraisal", params(("id" = i64, Path)), request_body = ops::ApplyInput,
    responses((status = 200, body = Applicant), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ApplyInput>,
) -> ApiResult<Json<Applicant>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::apply(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// A step of the round, with its document; refused, naming what blocks it.
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/steps", tag = "appraisal", params(("id" = i64, Path)), request_body = ops::StepBody,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::StepBody>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// Decides a cross-check hit with its reason (excluded removes the applicant).
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/hits/{hit}/decision", tag = "appraisal", params(("id" = i64, Path), ("hit" = i64, Path)), request_body = ops::DecideInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, hit)): Path<(String, String)>,
    ApiJson(b): ApiJson<ops::DecideInput>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let hid = id(&ctx, &hit)?;
    let r = ops::decide(&state, &ctx, rid, hid, &b).await;
    api(&ctx, r)
}

/// Records the representatives' meeting's vote on an applicant (a decision item, passed or
/// failed; a void one is refused).
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/applicants/{applicant}/vote", tag = "appraisal", params(("id" = i64, Path), ("applicant" = i64, Path)), request_body = ops::VoteInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, applicant)): Path<(String, String)>,
    ApiJson(b): ApiJson<ops::VoteInput>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let aid = id(&ctx, &applicant)?;
    let r = ops::vote(&state, &ctx, rid, aid, &b).await;
    api(&ctx, r)
}

/// Draws the township's or the county's sample from a seed (re-derivable: docs/SUPERVISION.md).
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/samples", tag = "appraisal", params(("id" = i64, Path)), request_body = ops::SampleInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::SampleInput>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::draw(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// Records the check of a sampled applicant (a failed check removes the applicant).
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/checks", tag = "appraisal", params(("id" = i64, Path)), request_body = ops::CheckInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::CheckInput>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let r = ops::check(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// Answers an objection to one of the round's notices; upheld, it removes the applicant named.
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/objections/{objection}/answer", tag = "appraisal", params(("id" = i64, Path), ("objection" = i64, Path)), request_body = ops::AnswerInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, objection)): Path<(String, String)>,
    ApiJson(b): ApiJson<ops::AnswerInput>,
) -> ApiResult<Json<Round>> {
    let rid = id(&ctx, &raw)?;
    let oid = id(&ctx, &objection)?;
    let r = ops::answer(&state, &ctx, rid, oid, &b).await;
    api(&ctx, r)
}

/// The cross-check lists of the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/crosscheck-lists", tag = "appraisal", params(ops::RoundQuery),
    responses((status = 200, body = Vec<CrosscheckList>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_crosscheck_lists(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::RoundQuery>,
) -> ApiResult<Json<Vec<CrosscheckList>>> {
    let r = ops::lists(&state, &ctx, &q).await;
    api(&ctx, r)
}
