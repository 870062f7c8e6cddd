//! Book 3, the problem ledger.
use crate::Result;
use crate::*;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::money::Money;

/// The storage of Book 3, the problem ledger (part of [`crate::Store`]).
#[async_trait]
pub trait ProblemStore: Send + Sync {
    async fn create_problem(&self, p: &NewProblem, actor: Option<i64>, now: i64)
    -> Result<Problem>;
    /// A lifecycle step; verifying resumes payments suspended on the problem's ladder.
    async fn problem_action(
        &self,
        id: i64,
        action: sunledger_core::problem::ProblemAction,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem>;
    async fn problem(&self, id: i64) -> Result<Option<Problem>>;
    async fn problem_record(&self, id: i64) -> Result<Option<ProblemRecord>>;
    /// A page of Book 3, open problems first by deadline, and the number matching.
    async fn problems(
        &self,
        f: &ProblemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Problem>, i64)>;
}

/// A row of Book 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    /// The responsible unit's region.
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub inspection_id: Option<i64>,
    pub project_id: Option<i64>,
    /// "Double investigation of one case": this problem reviews the leaders' supervisory duty
    /// in that case.
    pub review_of: Option<i64>,
    pub category: String,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub department_id: i64,
    pub department_name: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub amount_fen: i64,
    pub first_deadline: String,
    /// The deadline in force (an interview may set a new one).
    pub deadline: String,
    /// Why the first deadline was already past when it was set.
    pub deadline_reason: Option<String>,
    /// open, rectifying, submitted, closed.
    pub state: String,
    pub rejections: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProblem {
    pub region: RegionCode,
    pub inspection_id: Option<i64>,
    pub project_id: Option<i64>,
    pub review_of: Option<i64>,
    pub category: sunledger_core::problem::ProblemCategory,
    pub severity: sunledger_core::problem::Severity,
    pub title: String,
    pub description: String,
    pub department_id: i64,
    pub person_id: Option<i64>,
    pub amount: Money,
    pub deadline: String,
    /// Why the deadline is already past (needed then).
    pub deadline_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProblemEvent {
    pub id: i64,
    pub problem_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    /// Evidence (submissions) or reason (rejections, reopenings).
    pub text: String,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProblemRecord {
    pub problem: Problem,
    pub events: Vec<ProblemEvent>,
    pub escalations: Vec<Escalation>,
    pub proposals: Vec<Proposal>,
}

/// Which problems to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProblemFilter {
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub inspection_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Only problems still open with a deadline before this day (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
    /// Only problems not closed.
    pub open_only: bool,
}
