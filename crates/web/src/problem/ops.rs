//! Book 3 (the problem rectification ledger).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::rules;
use crate::app::ops::{Named, actor, opt, opt_i64, own_opt, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::Permission;
use sunledger_core::money::Money;
use sunledger_core::problem::{ProblemAction, ProblemCategory, Severity};
use sunledger_store::{NewProblem, Problem, ProblemFilter, ProblemRecord};

// --- Book 3 -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ProblemInput {
    /// The responsible unit's region.
    pub region: String,
    #[serde(default)]
    pub inspection_id: Option<i64>,
    #[serde(default)]
    pub project_id: Option<i64>,
    /// For "double investigation of one case": the case whose leaders' supervisory duty this
    /// reviews.
    #[serde(default)]
    pub review_of: Option<i64>,
    /// task_implementation, four_winds, corruption, fund_management, targeting, cadre_style,
    /// objectives, public_complaints.
    pub category: String,
    /// minor, general, serious, critical.
    pub severity: String,
    pub title: String,
    pub description: String,
    /// The responsible unit.
    pub department_id: i64,
    #[serde(default)]
    pub person_id: Option<i64>,
    /// Yuan involved, e.g. "120000.00" (default 0).
    #[serde(default)]
    pub amount: String,
    /// YYYY-MM-DD; one already past needs `deadline_reason`.
    pub deadline: String,
    /// Why the deadline is already past (needed then).
    #[serde(default)]
    pub deadline_reason: Option<String>,
}

pub async fn create_problem(
    state: &AppState,
    ctx: &Ctx,
    i: &ProblemInput,
) -> Result<Problem, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sunledger_core::access::INSPECTORS, &region)?;
    own_opt(
        state,
        ctx,
        "inspection_id",
        i.inspection_id.map(Named::Inspection),
    )
    .await?;
    own_opt(state, ctx, "project_id", i.project_id.map(Named::Project)).await?;
    own_opt(state, ctx, "review_of", i.review_of.map(Named::Problem)).await?;
    own_ref(
        state,
        ctx,
        "department_id",
        Named::Department(i.department_id),
    )
    .await?;
    own_opt(state, ctx, "person_id", i.person_id.map(Named::Person)).await?;
    let amount = if i.amount.trim().is_empty() {
        Money::from_fen(0)
    } else {
        Money::parse_yuan(&i.amount)?
    };
    Ok(state
        .store
        .create_problem(
            &NewProblem {
                region,
                inspection_id: i.inspection_id,
                project_id: i.project_id,
                review_of: i.review_of,
                category: ProblemCategory::parse(&i.category)?,
                severity: Severity::parse(&i.severity)?,
                title: i.title.clone(),
                description: i.description.clone(),
                department_id: i.department_id,
                person_id: i.person_id,
                amount,
                deadline: i.deadline.clone(),
                deadline_reason: opt(&i.deadline_reason).map(str::to_string),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn visible_problem(state: &AppState, ctx: &Ctx, id: i64) -> Result<Problem, WebError> {
    let p = state.store.problem(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &p.region)?;
    Ok(p)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProblemActionInput {
    /// start, submit (with evidence), verify, reject (with reason), reopen (with reason).
    pub action: String,
    #[serde(default)]
    pub text: String,
}

pub async fn problem_action(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ProblemActionInput,
) -> Result<Problem, WebError> {
    let p = visible_problem(state, ctx, id).await?;
    let a = ProblemAction::parse(&i.action)?;
    ctx.require_role(a.roles(), &p.region)?;
    Ok(state
        .store
        .problem_action(id, a, &i.text, actor(ctx), state.now())
        .await?)
}

/// Filters of Book 3.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    pub region: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub inspection: Option<String>,
    pub department: Option<String>,
    /// `1`: only problems past their deadline today.
    pub overdue: Option<String>,
    /// `1`: only problems not closed.
    pub open: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl ProblemQuery {
    pub fn filter(&self, state: &AppState, ctx: &Ctx) -> Result<ProblemFilter, WebError> {
        Ok(ProblemFilter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            state: opt(&self.state)
                .map(|s| {
                    sunledger_core::problem::ProblemState::parse(s).map(|s| s.key().to_string())
                })
                .transpose()?,
            category: opt(&self.category)
                .map(|s| ProblemCategory::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            inspection_id: opt_i64("inspection", &self.inspection)?,
            department_id: opt_i64("department", &self.department)?,
            overdue_on: (opt(&self.overdue) == Some("1"))
                .then(|| sunledger_core::day::format(sunledger_core::day::today(state.now()))),
            open_only: opt(&self.open) == Some("1"),
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
pub struct ProblemLedger {
    pub problems: Vec<Problem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub today: String,
}

pub async fn problems(
    state: &AppState,
    ctx: &Ctx,
    q: &ProblemQuery,
) -> Result<ProblemLedger, WebError> {
    let f = q.filter(state, ctx)?;
    let page = q.page();
    let (problems, total) = state.store.problems(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(ProblemLedger {
        problems,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

pub async fn all_problems(
    state: &AppState,
    ctx: &Ctx,
    q: &ProblemQuery,
) -> Result<Vec<Problem>, WebError> {
    let f = q.filter(state, ctx)?;
    ops::all_pages(|offset| state.store.problems(&f, 1000, offset)).await
}

/// A problem's page: its record and the steps due now by the rules.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    #[serde(flatten)]
    pub record: ProblemRecord,
    /// Steps the rules make due today (not yet taken).
    pub due: Vec<String>,
    pub overdue_days: i64,
    pub today: String,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: i64) -> Result<ProblemView, WebError> {
    let p = visible_problem(state, ctx, id).await?;
    let record = state
        .store
        .problem_record(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let due = state
        .store
        .due_escalations(&[p.region], &rules(), state.now())
        .await?
        .into_iter()
        .find(|(x, _)| x.id == id)
        .map(|(_, s)| s.iter().map(|s| s.key().to_string()).collect())
        .unwrap_or_default();
    let today = sunledger_core::day::today(state.now());
    let deadline = sunledger_core::day::parse("deadline", &p.deadline)?;
    Ok(ProblemView {
        record,
        due,
        overdue_days: if p.state == "closed" {
            0
        } else {
            (today - deadline).max(0)
        },
        today: sunledger_core::day::format(today),
    })
}
