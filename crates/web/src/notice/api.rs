//! JSON routes of public notices: the officials' (drafts, steps, answers, postings, dues) and the
//! public's (a notice, an objection, a receipt).
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ErrorBody, WebError};
use crate::notice::ops;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use sunledger_store::{Notice, NoticeRecord, Posting, PublicObjection};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notices, create_notice))
        .routes(routes!(get_notice))
        .routes(routes!(edit_notice))
        .routes(routes!(notice_action))
        .routes(routes!(record_posting))
        .routes(routes!(confirm_posting))
        .routes(routes!(get_dues))
        .routes(routes!(list_awaiting))
        .routes(routes!(answer_objection))
        .routes(routes!(public_notice))
        .routes(routes!(object_to_notice))
        .routes(routes!(object_to_project))
        .routes(routes!(lookup_receipt))
}

/// Notices in the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/notices", tag = "openness", params(ops::NoticeQuery),
    responses((status = 200, body = ops::NoticeList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_notices(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ops::NoticeQuery>,
) -> ApiResult<Json<ops::NoticeList>> {
    let r = ops::list(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Drafts a notice: its region, kind and fields (the required ones may come later; publishing
/// needs them), the notice it corrects, the due it answers.
#[utoipa::path(post, path = "/api/v1/notices", tag = "openness", request_body = ops::NoticeInput,
    responses((status = 201, body = Notice), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::NoticeInput>,
) -> ApiResult<Response> {
    let r = ops::create(&state, &ctx, &b).await;
    created(&ctx, r)
}

/// A notice with its steps, objections (with the objectors, for officials) and postings.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "openness", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeRecord), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<NoticeRecord>> {
    let nid = id(&ctx, &raw)?;
    let r = ops::visible(&state, &ctx, nid).await;
    api(&ctx, r)
}

/// Rewrites a draft's fields (a published notice is never edited: draft a correction).
#[utoipa::path(post, path = "/api/v1/notices/{id}/fields", tag = "openness", params(("id" = i64, Path)), request_body = ops::FieldsInput,
    responses((status = 200, body = Notice), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::FieldsInput>,
) -> ApiResult<Json<Notice>> {
    let nid = id(&ctx, &raw)?;
    let r = ops::edit(&state, &ctx, nid, &b.fields).await;
    api(&ctx, r)
}

/// Publishes (not by its drafter; every required field given) or closes (after the window,
/// every objection answered).
#[utoipa::path(post, path = "/api/v1/notices/{id}/actions", tag = "openness", params(("id" = i64, Path)), request_body = ops::NoticeActionInput,
    responses((status = 200, body = Notice), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn notice_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::NoticeActionInput>,
) -> ApiResult<Json<Notice>> {
    let nid = id(&ctx, &raw)?;
    let r = ops::step(&state, &ctx, nid, &b.action).await;
    api(&ctx, r)
}

/// Records that the paper notice was put up: where, when, by whom, with a photo.
#[utoipa::path(post, path = "/api/v1/notices/{id}/postings", tag = "openness", params(("id" = i64, Path)), request_body = ops::PostingInput,
    responses((status = 201, body = Posting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_posting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::PostingInput>,
) -> ApiResult<Response> {
    let nid = id(&ctx, &raw)?;
    let r = async {
        let photo = base64::engine::general_purpose::STANDARD
            .decode(b.photo_base64.trim())
            .map_err(|_| WebError::invalid("photo", "not_an_image", ""))?;
        ops::record_posting(
            &state,
            &ctx,
            nid,
            &b.place,
            &b.posted_on,
            &b.posted_by,
            photo,
        )
        .await
    }
    .await;
    created(&ctx, r)
}

/// A member of the village supervision committee confirms a posting (not its recorder).
#[utoipa::path(post, path = "/api/v1/notices/{id}/postings/{posting}/confirm", tag = "openness",
    params(("id" = i64, Path), ("posting" = i64, Path)),
    responses((status = 200, body = Posting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm_posting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, posting)): Path<(String, String)>,
) -> ApiResult<Json<Posting>> {
    let nid = id(&ctx, &raw)?;
    let pid = id(&ctx, &posting)?;
    let r = ops::confirm_posting(&state, &ctx, nid, pid).await;
    api(&ctx, r)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    pub region: Option<String>,
}

/// The notices due in the caller's areas (allocations, approvals, acceptances), each with its
/// last day by the working-day calendar; overdue first; and how many were published on time.
#[utoipa::path(get, path = "/api/v1/notice-dues", tag = "openness", params(RegionQuery),
    responses((status = 200, body = ops::Dues), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_dues(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> ApiResult<Json<ops::Dues>> {
    let r = ops::dues(
        &state,
        &ctx,
        q.region.as_deref().filter(|r| !r.trim().is_empty()),
    )
    .await;
    api(&ctx, r)
}

/// Objections from the public awaiting an answer in the caller's areas.
#[utoipa::path(get, path = "/api/v1/objections", tag = "openness", params(RegionQuery),
    responses((status = 200, body = Vec<PublicObjection>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_awaiting(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> ApiResult<Json<Vec<PublicObjection>>> {
    let r = ops::awaiting(
        &state,
        &ctx,
        q.region.as_deref().filter(|r| !r.trim().is_empty()),
    )
    .await;
    api(&ctx, r)
}

/// Answers an objection (once); the answer is published with the notice.
#[utoipa::path(post, path = "/api/v1/public-objections/{id}/answer", tag = "openness", params(("id" = i64, Path)), request_body = ops::AnswerInput,
    responses((status = 200, body = PublicObjection), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::AnswerInput>,
) -> ApiResult<Json<PublicObjection>> {
    let oid = id(&ctx, &raw)?;
    let r = ops::answer(&state, &ctx, oid, &b.answer).await;
    api(&ctx, r)
}

/// A published notice as anyone sees it: its fields, window, answered objections (without who
/// raised them) and postings.
#[utoipa::path(get, path = "/api/v1/public/notices/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeRecord), (status = 404, body = ErrorBody)))]
async fn public_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<NoticeRecord>> {
    let nid = id(&ctx, &raw)?;
    let r = ops::public_record(&state, nid).await;
    api(&ctx, r)
}

/// Anyone objects to a published notice during its window, without an account; the answer
/// carries the receipt code to look the answer up with.
#[utoipa::path(post, path = "/api/v1/public/notices/{id}/objections", tag = "public", params(("id" = i64, Path)), request_body = ops::ObjectionInput,
    responses((status = 201, body = ops::PublicAnswer), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn object_to_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ObjectionInput>,
) -> ApiResult<Response> {
    let nid = id(&ctx, &raw)?;
    let r = ops::object(&state, "notices", nid, &b).await;
    created(&ctx, r)
}

/// Anyone objects to a project during its declaration notice; unanswered, it blocks the
/// county's approval.
#[utoipa::path(post, path = "/api/v1/public/projects/{id}/objections", tag = "public", params(("id" = i64, Path)), request_body = ops::ObjectionInput,
    responses((status = 201, body = ops::PublicAnswer), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn object_to_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::ObjectionInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::object(&state, "projects", pid, &b).await;
    created(&ctx, r)
}

/// The objection with this receipt code and its answer, without who raised it.
#[utoipa::path(get, path = "/api/v1/public/receipts/{code}", tag = "public", params(("code" = String, Path)),
    responses((status = 200, body = ops::PublicAnswer), (status = 404, body = ErrorBody)))]
async fn lookup_receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<ops::PublicAnswer>> {
    let r = ops::by_receipt(&state, &code).await;
    api(&ctx, r)
}
