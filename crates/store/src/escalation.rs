//! The escalation ladder and its proposals.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use sunledger_core::RegionCode;

/// The storage of escalation (part of [`Store`](crate::Store)).
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
        rules: &[sunledger_core::supervision::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<sunledger_core::supervision::Step>)>>;
    /// Records proposals for due steps not proposed before; returns the new ones.
    async fn propose_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::supervision::EscalationRule],
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
