//! Book 3, the problem ledger.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;

/// The storage of problem (part of [`Store`](crate::Store)).
#[async_trait]
pub trait ProblemStore: Send + Sync {
    async fn create_problem(&self, p: &NewProblem, actor: Option<i64>, now: i64)
    -> Result<Problem>;
    /// A lifecycle step; verifying resumes payments suspended on the problem's ladder.
    async fn problem_action(
        &self,
        id: i64,
        action: sunledger_core::supervision::ProblemAction,
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
