//! JSON routes of the village affairs supervision committees.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::ErrorBody;
use crate::committee::ops;
use axum::Json;
use axum::extract::State;
use sunledger_store::{CommitteeSignature, CommitteeTerm};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_committees))
        .routes(routes!(village_terms))
        .routes(routes!(elect))
        .routes(routes!(add_member))
        .routes(routes!(end_member))
        .routes(routes!(sign_posting))
}

/// The latest term of each village in the caller's areas, with what it lacks.
#[utoipa::path(get, path = "/api/v1/committees", tag = "committee", params(ops::CommitteeQuery),
    responses((status = 200, body = ops::CommitteeList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_committees(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::CommitteeQuery>,
) -> ApiResult<Json<ops::CommitteeList>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// A village's terms, newest first, with their members (ID numbers masked).
#[utoipa::path(get, path = "/api/v1/committees/{village}", tag = "committee", params(("village" = String, Path)),
    responses((status = 200, body = Vec<CommitteeTerm>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn village_terms(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(village): Path<String>,
) -> ApiResult<Json<Vec<CommitteeTerm>>> {
    let r = ops::terms(&state, &ctx, &village).await;
    api(&ctx, r)
}

/// Records a committee elected at a held, quorate villagers' or representatives' meeting of the
/// village: 3-5 members, one chair, one with accounting skills, nobody on the village committee
/// or related to one of its members (the refusal names the relation).
#[utoipa::path(post, path = "/api/v1/committees/{village}/terms", tag = "committee", params(("village" = String, Path)), request_body = ops::ElectInput,
    responses((status = 200, body = CommitteeTerm), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn elect(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(village): Path<String>,
    ApiJson(b): ApiJson<ops::ElectInput>,
) -> ApiResult<Json<CommitteeTerm>> {
    let r = ops::elect(&state, &ctx, &village, &b).await;
    api(&ctx, r)
}

/// Adds a member to the sitting term (a by-election at a meeting of the village).
#[utoipa::path(post, path = "/api/v1/committee-terms/{id}/members", tag = "committee", params(("id" = i64, Path)), request_body = ops::AddInput,
    responses((status = 200, body = CommitteeTerm), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AddInput>,
) -> ApiResult<Json<CommitteeTerm>> {
    let tid = id(&ctx, &raw)?;
    let r = ops::add(&state, &ctx, tid, &b).await;
    api(&ctx, r)
}

/// Records that a member left, on a day not after today, with the reason.
#[utoipa::path(post, path = "/api/v1/committee-members/{id}/end", tag = "committee", params(("id" = i64, Path)), request_body = ops::EndInput,
    responses((status = 200, body = CommitteeTerm), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn end_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::EndInput>,
) -> ApiResult<Json<CommitteeTerm>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::end(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}

/// A sitting member signs the posting evidence of a notice of the village, today.
#[utoipa::path(post, path = "/api/v1/committee-members/{id}/signatures", tag = "committee", params(("id" = i64, Path)), request_body = ops::SignInput,
    responses((status = 200, body = CommitteeSignature), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign_posting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::SignInput>,
) -> ApiResult<Json<CommitteeSignature>> {
    let mid = id(&ctx, &raw)?;
    let r = ops::sign(&state, &ctx, mid, &b).await;
    api(&ctx, r)
}
