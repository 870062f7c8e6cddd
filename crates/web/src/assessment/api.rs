//! JSON routes of the annual assessment.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::app::table;
use crate::assessment::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use sunledger_store::{AssessmentAppeal, AssessmentRound, SchemeVersion};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_scores))
        .routes(routes!(get_county))
        .routes(routes!(get_scheme))
        .routes(routes!(post_scheme))
        .routes(routes!(post_round))
        .routes(routes!(post_appeal))
        .routes(routes!(post_decision))
        .routes(routes!(get_public))
        .routes(routes!(get_scores_csv))
        .routes(routes!(get_scores_xlsx))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    /// The city (any region code inside it); default: the caller's.
    pub city: Option<String>,
    /// `true`: the publication in force (refused when nothing is published); else the live
    /// scores.
    #[serde(default)]
    pub published: bool,
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
    q: &TableQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let y = year(raw)?;
    let view = ops::scores(state, ctx, q.city.as_deref(), y).await?;
    let cards = if q.published {
        let cards = ops::published_cards(&view.round)?;
        if cards.is_empty() {
            return Err(WebError::invalid("published", "nothing_published", ""));
        }
        cards
    } else {
        view.scores.counties.clone()
    };
    let (h, rows) = export::score_table(ctx.lang, &view.scores.scheme, &cards);
    let which = if q.published { "published" } else { "live" };
    let stem = format!(
        "sunledger-assessment-{y}-{which}-{}",
        sunledger_core::day::today_text(state.now())
    );
    table::table_download(xlsx, &stem, &h, &rows)
}

/// The score table as CSV (UTF-8 with BOM): a row per county in rank order, the total and every
/// item's points.
#[utoipa::path(get, path = "/api/v1/assessment/{year}/scores.csv", tag = "assessment", params(("year" = i32, Path), TableQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_scores_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<TableQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &raw, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The score table as XLSX, in the same columns.
#[utoipa::path(get, path = "/api/v1/assessment/{year}/scores.xlsx", tag = "assessment", params(("year" = i32, Path), TableQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_scores_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<TableQuery>,
) -> ApiResult<Response> {
    download(&state, &ctx, &raw, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CityQuery {
    /// The city (any region code inside it); default: the caller's.
    pub city: Option<String>,
}

/// A year as typed in a path: 2000-2100.
pub fn year(raw: &str) -> Result<i32, WebError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| WebError::invalid("year", "year_out_of_range", raw))
}

/// The live scores of every county of the city (as of now), the round, the ranking, and what
/// changed since the publication in force. For the city's own people.
#[utoipa::path(get, path = "/api/v1/assessment/{year}", tag = "assessment", params(("year" = i32, Path), CityQuery),
    responses((status = 200, body = ops::ScoresView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_scores(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<CityQuery>,
) -> ApiResult<Json<ops::ScoresView>> {
    let r = async { ops::scores(&state, &ctx, q.city.as_deref(), year(&raw)?).await }.await;
    api(&ctx, r)
}

/// A county's card: every item with the rows behind its points, live; the published card when
/// the round is published; its appeals.
#[utoipa::path(get, path = "/api/v1/assessment/{year}/counties/{code}", tag = "assessment", params(("year" = i32, Path), ("code" = String, Path)),
    responses((status = 200, body = ops::CountyView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_county(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, code)): Path<(String, String)>,
) -> ApiResult<Json<ops::CountyView>> {
    let r = async { ops::county(&state, &ctx, &code, year(&raw)?).await }.await;
    api(&ctx, r)
}

/// The scheme of the city's year: its versions and the document in force (public: how counties
/// are scored is published policy).
#[utoipa::path(get, path = "/api/v1/assessment/{year}/scheme", tag = "public", params(("year" = i32, Path), CityQuery),
    responses((status = 200, body = ops::SchemeView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_scheme(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<CityQuery>,
) -> ApiResult<Json<ops::SchemeView>> {
    let r = async { ops::scheme(&state, &ctx, q.city.as_deref(), year(&raw)?).await }.await;
    api(&ctx, r)
}

/// Books a new version of the city's scheme (the year is the document's). A broken item is
/// refused, naming the item and the field.
#[utoipa::path(post, path = "/api/v1/assessment/schemes", tag = "assessment", request_body = ops::SchemeInput,
    responses((status = 200, body = SchemeVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_scheme(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::SchemeInput>,
) -> ApiResult<Json<SchemeVersion>> {
    let r = ops::set_scheme(&state, &ctx, &b).await;
    api(&ctx, r)
}

/// A step of the round: review, reopen, publish (a snapshot of the scores into the log; not by
/// the reviewer), unpublish (with a reason).
#[utoipa::path(post, path = "/api/v1/assessment/{year}/steps", tag = "assessment", params(("year" = i32, Path)), request_body = ops::RoundInput,
    responses((status = 200, body = AssessmentRound), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::RoundInput>,
) -> ApiResult<Json<AssessmentRound>> {
    let r = async { ops::round_step(&state, &ctx, year(&raw)?, &b).await }.await;
    api(&ctx, r)
}

/// A county's appeal of a row that cost it points, with its reasons and evidence.
#[utoipa::path(post, path = "/api/v1/assessment/{year}/appeals", tag = "assessment", params(("year" = i32, Path)), request_body = ops::AppealInput,
    responses((status = 200, body = AssessmentAppeal), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_appeal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AppealInput>,
) -> ApiResult<Json<AssessmentAppeal>> {
    let r = async { ops::appeal(&state, &ctx, year(&raw)?, &b).await }.await;
    api(&ctx, r)
}

/// The bureau's decision on an appeal: upheld (the points restored) or dismissed, with reasons.
#[utoipa::path(post, path = "/api/v1/assessment/{year}/appeals/{id}/decision", tag = "assessment", params(("year" = i32, Path), ("id" = i64, Path)), request_body = ops::DecisionInput,
    responses((status = 200, body = AssessmentAppeal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, aid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ops::DecisionInput>,
) -> ApiResult<Json<AssessmentAppeal>> {
    let r = async {
        let aid = id(&ctx, &aid).map_err(|e| e.0)?;
        ops::decide(&state, &ctx, aid, year(&raw)?, &b).await
    }
    .await;
    api(&ctx, r)
}

/// The published ranking of the city's year, for everyone (no account): each county's total,
/// the publication's time, hash and log size.
#[utoipa::path(get, path = "/api/v1/public/assessment/{year}", tag = "public", params(("year" = i32, Path), CityQuery),
    responses((status = 200, body = ops::PublicRanking), (status = 422, body = ErrorBody)))]
async fn get_public(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<CityQuery>,
) -> ApiResult<Json<ops::PublicRanking>> {
    let r = async { ops::public_ranking(&state, &ctx, q.city.as_deref(), year(&raw)?).await }.await;
    api(&ctx, r)
}
