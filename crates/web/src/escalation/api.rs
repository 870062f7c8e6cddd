//! JSON routes of the escalation ladder and its proposals.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, api, created, id};
use crate::app::ctx::Ctx;
use crate::app::error::ErrorBody;
use crate::escalation::ops;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_escalation))
        .routes(routes!(record_outcome))
        .routes(routes!(list_proposals))
        .routes(routes!(dismiss_proposal))
        .routes(routes!(list_overdue_proposals))
        .routes(routes!(decide_overdue_proposal))
}

/// Takes a step of the escalation ladder on a problem (confirming a proposal when
/// `proposal_id` is given). A suspension of payment is booked in the fund ledger with it.
#[utoipa::path(post, path = "/api/v1/problems/{id}/escalations", tag = "supervision", params(("id" = i64, Path)), request_body = ops::EscalationInput,
    responses((status = 201, body = sunledger_store::Escalation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_escalation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::EscalationInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = ops::escalate(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Records the outcome of a referral (once).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/outcome", tag = "supervision", params(("id" = i64, Path)), request_body = ops::OutcomeInput,
    responses((status = 200, body = sunledger_store::Escalation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::OutcomeInput>,
) -> ApiResult<Json<sunledger_store::Escalation>> {
    let eid = id(&ctx, &raw)?;
    let r = ops::outcome(&state, &ctx, eid, &b).await;
    api(&ctx, r)
}

/// An escalation proposal waiting for a person, with its problem.
#[derive(Serialize, ToSchema)]
pub struct OpenProposal {
    proposal: sunledger_store::Proposal,
    problem: sunledger_store::Problem,
}

/// Escalation steps the rules proposed and nobody has decided yet, in the caller's areas.
#[utoipa::path(get, path = "/api/v1/proposals", tag = "supervision",
    responses((status = 200, body = Vec<OpenProposal>), (status = 401, body = ErrorBody)))]
async fn list_proposals(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<OpenProposal>>> {
    let r = ops::open_proposals(&state, &ctx).await.map(|v| {
        v.into_iter()
            .map(|(proposal, problem)| OpenProposal { proposal, problem })
            .collect()
    });
    api(&ctx, r)
}

/// Dismisses a proposed step, with a reason (it is confirmed by taking the step with its
/// `proposal_id`).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/dismiss", tag = "supervision", params(("id" = i64, Path)), request_body = ops::DismissInput,
    responses((status = 200, body = sunledger_store::Proposal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn dismiss_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::DismissInput>,
) -> ApiResult<Json<sunledger_store::Proposal>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::dismiss(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}

/// Overdue Book 4 steps (applications not inspected in time, evaluations not reviewed in time)
/// proposed on the ladder's first rung and not decided, in the caller's areas; each with the day
/// it was due and the rule that made it due (`basis`).
#[utoipa::path(get, path = "/api/v1/overdue-proposals", tag = "supervision",
    responses((status = 200, body = Vec<sunledger_store::OverdueProposal>), (status = 401, body = ErrorBody)))]
async fn list_overdue_proposals(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<sunledger_store::OverdueProposal>>> {
    let r = ops::open_overdue(&state, &ctx).await;
    api(&ctx, r)
}

/// Decides an overdue proposal (once): `confirmed` names the Book 3 problem opened for it on the
/// same project, `dismissed` gives a reason.
#[utoipa::path(post, path = "/api/v1/overdue-proposals/{id}/decide", tag = "supervision", params(("id" = i64, Path)), request_body = ops::OverdueDecisionInput,
    responses((status = 200, body = sunledger_store::OverdueProposal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_overdue_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ops::OverdueDecisionInput>,
) -> ApiResult<Json<sunledger_store::OverdueProposal>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::decide_overdue(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}
