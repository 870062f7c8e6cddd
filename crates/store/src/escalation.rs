//! The escalation ladder and its proposals.
use crate::Result;
use crate::*;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of the escalation ladder and its proposals (part of [`crate::Store`]).
#[async_trait]
pub trait EscalationStore: Send + Sync {
    /// Takes a step of the escalation ladder (a suspension of payment is booked with it).
    async fn escalate(&self, e: &NewEscalation, actor: Option<i64>, now: i64)
    -> Result<Escalation>;
    async fn escalation(&self, id: i64) -> Result<Option<Escalation>>;
    /// Records a referral's outcome (once).
    async fn record_outcome(
        &self,
        id: i64,
        outcome: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation>;
    /// The steps the rules make due now, per open problem in `scopes` (nothing is written).
    async fn due_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::escalation::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<sunledger_core::escalation::Step>)>>;
    /// Records proposals for due steps not proposed before; returns the new ones.
    async fn propose_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::escalation::EscalationRule],
        now: i64,
    ) -> Result<Vec<Proposal>>;
    /// Book 4 steps overdue now in `scopes` (nothing is written): applications not inspected
    /// within their county's inspection days, evaluations not reviewed by their due day.
    async fn overdue_steps(&self, scopes: &[RegionCode], now: i64) -> Result<Vec<Overdue>>;
    /// Records a proposal of the ladder's first rung for each overdue Book 4 step not proposed
    /// before; returns the new ones.
    async fn propose_overdue(
        &self,
        scopes: &[RegionCode],
        now: i64,
    ) -> Result<Vec<OverdueProposal>>;
    /// The overdue proposals in `scopes` waiting for a decision whose step is still overdue
    /// (an application inspected since, an evaluation reviewed, is no longer), oldest first.
    async fn open_overdue_proposals(
        &self,
        scopes: &[RegionCode],
        now: i64,
    ) -> Result<Vec<OverdueProposal>>;
    async fn overdue_proposal(&self, id: i64) -> Result<Option<OverdueProposal>>;
    /// Decides an overdue proposal: `confirmed` names the Book 3 problem opened for it (on the
    /// same project), `dismissed` gives a reason. Once.
    async fn decide_overdue_proposal(
        &self,
        id: i64,
        decision: &OverdueDecision,
        actor: Option<i64>,
        now: i64,
    ) -> Result<OverdueProposal>;
    async fn proposal(&self, id: i64) -> Result<Option<Proposal>>;
    async fn dismiss_proposal(
        &self,
        id: i64,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Proposal>;
}

/// A step of the escalation ladder taken on a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub id: i64,
    pub problem_id: i64,
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    pub on_date: String,
    pub content: String,
    pub attendees: String,
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    pub deduction_points: Option<i64>,
    pub suspension_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: i64,
    pub outcome: Option<String>,
    pub outcome_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewEscalation {
    pub problem_id: i64,
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    pub content: String,
    /// Interviews: who attended.
    pub attendees: String,
    /// Interviews: the new deadline.
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    /// Informed criticism: assessment points deducted.
    pub deduction_points: Option<i64>,
    /// The proposal this confirms, if any.
    pub proposal_id: Option<i64>,
}

/// A step the rules made due, waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub problem_id: i64,
    pub step: String,
    pub proposed_on: String,
    /// `confirmed` or `dismissed` once decided.
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub escalation_id: Option<i64>,
}

/// A Book 4 step overdue on a day: its source, the day it was due and the rule that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Overdue {
    /// `acceptance` or `evaluation` (`sunledger_core::escalation::OverdueSource`).
    pub source: String,
    /// The acceptance's or the evaluation's id.
    pub source_id: i64,
    pub project_id: i64,
    pub project_name: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    /// The day the step was due (`YYYY-MM-DD`): the application's day plus the inspection days,
    /// or the evaluation's due day.
    pub due_on: String,
    /// Days past `due_on`.
    pub days_over: i64,
    /// The rule that made it due and its source, e.g. `inspection_days=60: <the county's basis>`.
    pub basis: String,
}

/// A ladder step proposed for an overdue Book 4 step, waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OverdueProposal {
    pub id: i64,
    pub source: String,
    pub source_id: i64,
    pub project_id: i64,
    pub project_name: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub step: String,
    pub due_on: String,
    pub basis: String,
    pub proposed_on: String,
    /// `confirmed` or `dismissed` once decided.
    pub decision: Option<String>,
    pub reason: Option<String>,
    /// The Book 3 problem opened for it (confirmed).
    pub problem_id: Option<i64>,
}

/// How a person decides an overdue proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverdueDecision {
    /// A Book 3 problem on the same project was opened for it; the ladder runs on that problem.
    Confirm {
        problem_id: i64,
    },
    Dismiss {
        reason: String,
    },
}
