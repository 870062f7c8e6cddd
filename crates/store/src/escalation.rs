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
