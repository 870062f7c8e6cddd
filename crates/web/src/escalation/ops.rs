//! The escalation ladder: the rules in force, escalating, outcomes and proposals.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::actor;
use crate::problem::ops::visible_problem;
use serde::{Deserialize, Serialize};
use sunledger_core::Permission;
use sunledger_core::escalation::Step;
use sunledger_store::{
    Escalation, NewEscalation, OverdueDecision, OverdueProposal, Problem, ProblemFilter, Proposal,
};

pub use crate::app::ops::rules;

// --- The escalation ladder ------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct EscalationInput {
    /// reminder_letter, supervision_letter, suggestion_letter, work_interview,
    /// warning_interview, suspend_payment, informed_criticism, discipline_referral,
    /// judicial_referral.
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    #[serde(default)]
    pub content: String,
    /// Interviews: who attended.
    #[serde(default)]
    pub attendees: String,
    /// Interviews: the new deadline.
    #[serde(default)]
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    /// Informed criticism: assessment points deducted (1-100).
    #[serde(default)]
    pub deduction_points: Option<i64>,
    /// The proposal this confirms.
    #[serde(default)]
    pub proposal_id: Option<i64>,
}

pub async fn escalate(
    state: &AppState,
    ctx: &Ctx,
    problem_id: i64,
    i: &EscalationInput,
) -> Result<Escalation, WebError> {
    let p = visible_problem(state, ctx, problem_id).await?;
    let step = Step::parse(&i.step)?;
    ctx.require_role(step.roles(), &p.region)?;
    if let Some(pid) = i.proposal_id {
        // Another problem's proposal and an unknown one are refused alike.
        match state.store.proposal(pid).await? {
            Some(pr) if pr.problem_id == problem_id => {}
            _ => {
                return Err(WebError::invalid(
                    "proposal_id",
                    "not_an_open_proposal",
                    pid.to_string(),
                ));
            }
        }
    }
    Ok(state
        .store
        .escalate(
            &NewEscalation {
                problem_id,
                step: step.key().to_string(),
                document_no: i.document_no.clone(),
                issuing_unit: i.issuing_unit.clone(),
                content: i.content.clone(),
                attendees: i.attendees.clone(),
                new_deadline: i.new_deadline.clone(),
                responsible_person: i.responsible_person.clone(),
                deduction_points: i.deduction_points,
                proposal_id: i.proposal_id,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn visible_escalation(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Escalation, Problem), WebError> {
    let e = state
        .store
        .escalation(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let p = visible_problem(state, ctx, e.problem_id).await?;
    Ok((e, p))
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    pub outcome: String,
}

pub async fn outcome(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &OutcomeInput,
) -> Result<Escalation, WebError> {
    let (e, p) = visible_escalation(state, ctx, id).await?;
    ctx.require_role(Step::parse(&e.step)?.roles(), &p.region)?;
    Ok(state
        .store
        .record_outcome(id, &i.outcome, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DismissInput {
    pub reason: String,
}

pub async fn dismiss(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &DismissInput,
) -> Result<Proposal, WebError> {
    let pr = state.store.proposal(id).await?.ok_or(WebError::NotFound)?;
    let p = visible_problem(state, ctx, pr.problem_id).await?;
    ctx.require_role(Step::parse(&pr.step)?.roles(), &p.region)?;
    Ok(state
        .store
        .dismiss_proposal(id, &i.reason, actor(ctx), state.now())
        .await?)
}

/// Proposals waiting for a decision in the caller's areas, with their problems.
pub async fn open_proposals(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(Proposal, Problem)>, WebError> {
    let scopes = ops::scopes(ctx, None)?;
    let (problems, _) = state
        .store
        .problems(
            &ProblemFilter {
                scopes,
                open_only: true,
                ..Default::default()
            },
            1000,
            0,
        )
        .await?;
    let mut out = Vec::new();
    for p in problems {
        if let Some(r) = state.store.problem_record(p.id).await? {
            // Closed problems are left out above; referred ones have left the ladder.
            let taken: Vec<Step> = r
                .escalations
                .iter()
                .filter_map(|e| Step::parse(&e.step).ok())
                .collect();
            let pstate = sunledger_core::problem::ProblemState::parse(&p.state)?;
            if !sunledger_core::escalation::ladder_runs(pstate, &taken) {
                continue;
            }
            for pr in r.proposals.into_iter().filter(|x| x.decision.is_none()) {
                out.push((pr, p.clone()));
            }
        }
    }
    Ok(out)
}

// --- Overdue Book 4 steps proposed on the ladder (issue 17) ----------------------------------------

/// Overdue acceptances and evaluations proposed on the ladder and not decided, in the caller's
/// areas (an application inspected or an evaluation reviewed since is left out).
pub async fn open_overdue(state: &AppState, ctx: &Ctx) -> Result<Vec<OverdueProposal>, WebError> {
    let scopes = ops::scopes(ctx, None)?;
    Ok(state
        .store
        .open_overdue_proposals(&scopes, state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OverdueDecisionInput {
    /// `confirmed` (with `problem_id`: the Book 3 problem opened for it, on the same project;
    /// the ladder then runs on that problem) or `dismissed` (with `reason`).
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub problem_id: Option<i64>,
}

/// Decides an overdue proposal: by those who may take its step, on its region.
pub async fn decide_overdue(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &OverdueDecisionInput,
) -> Result<OverdueProposal, WebError> {
    let o = state
        .store
        .overdue_proposal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &o.region)?;
    ctx.require_role(Step::parse(&o.step)?.roles(), &o.region)?;
    let d = match i.decision.trim() {
        "confirmed" => {
            let pid = i
                .problem_id
                .ok_or_else(|| WebError::invalid("problem_id", "empty", ""))?;
            ops::own_ref(state, ctx, "problem_id", ops::Named::Problem(pid)).await?;
            OverdueDecision::Confirm { problem_id: pid }
        }
        "dismissed" => OverdueDecision::Dismiss {
            reason: i.reason.clone(),
        },
        other => return Err(WebError::invalid("decision", "unknown_decision", other)),
    };
    Ok(state
        .store
        .decide_overdue_proposal(id, &d, actor(ctx), state.now())
        .await?)
}
