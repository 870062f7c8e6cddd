//! Book 2, the supervision responsibility ledger, and responsibility letters.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use sunledger_core::RegionCode;

/// The storage of responsibility (part of [`Store`](crate::Store)).
#[async_trait]
pub trait ResponsibilityStore: Send + Sync {
    /// Names a person responsible for a project in a role from `start_on`.
    async fn assign_responsibility(
        &self,
        project_id: i64,
        person_id: i64,
        role: sunledger_core::project::ResponsibleRole,
        start_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility>;
    /// Ends a responsibility on `end_on` (once); the row stays in the ledger.
    async fn end_responsibility(
        &self,
        id: i64,
        end_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility>;
    async fn responsibility(&self, id: i64) -> Result<Option<Responsibility>>;
    async fn responsibilities(&self, f: &ResponsibilityFilter) -> Result<Vec<Responsibility>>;
    async fn file_letter(
        &self,
        l: &NewLetter,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ResponsibilityLetter>;
    async fn letter(&self, id: i64) -> Result<Option<ResponsibilityLetter>>;
    async fn letters(&self, scopes: &[RegionCode]) -> Result<Vec<ResponsibilityLetter>>;
}
