//! Evaluations' operations: permission on the project's region, inputs parsed into core types,
//! one store call each.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, actor, opt};
use serde::{Deserialize, Serialize};
use sunledger_core::Permission;
use sunledger_core::Role;
use sunledger_core::acceptance::Band;
use sunledger_core::evaluation::{EvaluationState, value_field};
use sunledger_store::{
    Evaluation, EvaluationFilter, EvaluationRecord, NewEvaluationRecord, NewValue,
};

/// Who records the values: those who track the project (the village, the work team, the
/// township, the bureau).
pub const RECORDERS: &[Role] = sunledger_core::project::TRACKERS;
/// Who reviews or returns an evaluation: the county poverty alleviation bureau.
pub const REVIEWERS: &[Role] = &[Role::PovertyBureau];

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<EvaluationRecord, WebError> {
    let r = state
        .store
        .evaluation(id, state.now())
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.evaluation.region)?;
    Ok(r)
}

/// One indicator's value as typed.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ValueInput {
    /// The actual value in the indicator's unit (`3.2`, `95%`); leave it out where the system
    /// knows the value (it takes its own).
    #[serde(default)]
    pub actual: Option<String>,
    /// The evidence: a document, a survey, a photo record.
    #[serde(default)]
    pub evidence: String,
    /// Why the target was missed (required then).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct RecordInput {
    /// One per indicator, in the order of the project's performance targets.
    pub values: Vec<ValueInput>,
    /// The benefits in the evaluator's words.
    pub summary: String,
}

impl RecordInput {
    pub fn parse(&self) -> Result<NewEvaluationRecord, WebError> {
        let values = self
            .values
            .iter()
            .enumerate()
            .map(|(n, v)| {
                let actual = opt(&v.actual)
                    .map(|s| sunledger_core::project::parse_hundredths(value_field(n, "actual"), s))
                    .transpose()?;
                Ok(NewValue {
                    actual,
                    evidence: v.evidence.clone(),
                    reason: v.reason.clone(),
                })
            })
            .collect::<Result<Vec<_>, WebError>>()?;
        Ok(NewEvaluationRecord {
            values,
            summary: self.summary.clone(),
        })
    }
}

pub async fn record(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &RecordInput,
) -> Result<Evaluation, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(RECORDERS, &r.evaluation.region)?;
    let n = i.parse()?;
    Ok(state
        .store
        .record_evaluation(id, &n, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct CommentInput {
    #[serde(default)]
    pub comment: String,
}

pub async fn send_back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &CommentInput,
) -> Result<Evaluation, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(REVIEWERS, &r.evaluation.region)?;
    Ok(state
        .store
        .return_evaluation(id, &i.comment, actor(ctx), state.now())
        .await?)
}

pub async fn review(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &CommentInput,
) -> Result<Evaluation, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(REVIEWERS, &r.evaluation.region)?;
    Ok(state
        .store
        .review_evaluation(id, &i.comment, actor(ctx), state.now())
        .await?)
}

/// Filters of the evaluations.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    pub region: Option<String>,
    /// due, recorded or reviewed.
    pub state: Option<String>,
    /// excellent, good, fair or poor (reviewed ones).
    pub band: Option<String>,
    /// Years after acceptance (0: on acceptance).
    pub year: Option<String>,
    /// `1`: only those past their day and not reviewed.
    pub overdue: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl EvaluationQuery {
    pub fn filter(&self, state: &AppState, ctx: &Ctx) -> Result<EvaluationFilter, WebError> {
        Ok(EvaluationFilter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            state: opt(&self.state)
                .map(|s| EvaluationState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            band: opt(&self.band)
                .map(|s| Band::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            year: opt(&self.year)
                .map(|y| {
                    y.parse::<i64>()
                        .ok()
                        .filter(|y| (0..=50).contains(y))
                        .ok_or_else(|| WebError::invalid("year", "malformed", y))
                })
                .transpose()?,
            project_id: None,
            overdue_on: (opt(&self.overdue) == Some("1"))
                .then(|| sunledger_core::day::format(sunledger_core::day::today(state.now()))),
        })
    }
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationList {
    pub evaluations: Vec<Evaluation>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub today: String,
}

pub async fn list(
    state: &AppState,
    ctx: &Ctx,
    q: &EvaluationQuery,
) -> Result<EvaluationList, WebError> {
    ctx.require_user()?;
    let f = q.filter(state, ctx)?;
    let page = q.page();
    let (evaluations, total) = state.store.evaluations(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(EvaluationList {
        evaluations,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

pub async fn all(
    state: &AppState,
    ctx: &Ctx,
    q: &EvaluationQuery,
) -> Result<Vec<Evaluation>, WebError> {
    ctx.require_user()?;
    let f = q.filter(state, ctx)?;
    ops::all_pages(|offset| state.store.evaluations(&f, 1000, offset)).await
}
