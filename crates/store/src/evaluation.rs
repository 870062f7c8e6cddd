//! Book 4, performance evaluations 1-3 years on: scheduled at acceptance, recorded indicator by
//! indicator (the values the system knows filled in by it), reviewed by the county poverty bureau
//! or returned; a review rated 差 or with a core indicator missed opens a Book 3 problem.
use crate::Result;
use crate::project::ProjectIndicator;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of Book 4's evaluations (part of [`crate::Store`]).
#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Records the actual values of a due (or recorded, not yet reviewed) evaluation. The values
    /// the system knows (`core::evaluation::known`) are its own, whatever `r` says of them.
    async fn record_evaluation(
        &self,
        id: i64,
        r: &NewEvaluationRecord,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation>;
    /// Sends a recorded evaluation back to be recorded again, with the reason.
    async fn return_evaluation(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation>;
    /// The county bureau confirms a recorded evaluation (not the one who recorded it). Rated 差,
    /// or with a core indicator missed, it opens a Book 3 problem naming the people responsible
    /// on the day the project was accepted; the project's status becomes evaluated.
    async fn review_evaluation(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation>;
    /// An evaluation with the indicators it scores, what the system knows of them on `today`,
    /// its recordings and its steps.
    async fn evaluation(&self, id: i64, now: i64) -> Result<Option<EvaluationRecord>>;
    /// The evaluations of a project, by year.
    async fn evaluations_of_project(&self, project_id: i64) -> Result<Vec<Evaluation>>;
    /// A page of evaluations, earliest due first, and the number matching.
    async fn evaluations(
        &self,
        f: &EvaluationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Evaluation>, i64)>;
}

/// One indicator's value as entered. For an indicator the system knows, `actual` and `basis`
/// are ignored (the system's are taken).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewValue {
    /// Hundredths of the unit; `None` only where the system knows it.
    pub actual: Option<i64>,
    /// The evidence (a document, survey, photo record).
    pub evidence: String,
    /// Why the target was missed.
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEvaluationRecord {
    /// One per indicator, in the table's order.
    pub values: Vec<NewValue>,
    /// The benefits in the evaluator's words.
    pub summary: String,
}

/// One scheduled evaluation, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub category: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub acceptance_id: i64,
    /// Years after acceptance (0: on acceptance).
    pub year: i64,
    pub due_on: String,
    /// The project version whose indicators are scored.
    pub version: i64,
    /// due, recorded or reviewed.
    pub state: String,
    /// The latest recording's score (hundredths, out of 10 000) and band.
    pub total: Option<i64>,
    pub band: Option<String>,
    pub recorded_on: Option<String>,
    pub reviewed_on: Option<String>,
}

/// An indicator's value as the system knows it today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KnownValue {
    pub position: i64,
    pub actual: i64,
    /// What it was computed from (`days:FROM:TO`, `paid:FEN`, `households:N`).
    pub basis: String,
}

/// One recorded value, with the points it earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvaluationValue {
    pub position: i64,
    pub actual: i64,
    /// system or reported.
    pub source: String,
    pub basis: String,
    pub reason: String,
    /// Hundredths of a point.
    pub points: i64,
    pub met: bool,
}

/// One recording of the values, with its score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvaluationRound {
    pub id: i64,
    pub round: i64,
    pub recorded_on: String,
    pub summary: String,
    /// A serious or critical Book 3 problem was on the project (caps the band at 良).
    pub serious_problem: bool,
    pub total: i64,
    pub band: String,
    pub capped: bool,
    /// Positions of the core indicators missed.
    pub core_missed: Vec<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub values: Vec<EvaluationValue>,
    /// The index of the recording's leaf in the log.
    pub log_index: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvaluationEvent {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
    pub on_date: String,
    pub record_id: Option<i64>,
    /// The Book 3 problem the review opened.
    pub problem_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvaluationRecord {
    pub evaluation: Evaluation,
    /// The indicators scored (the evaluated version's table).
    pub indicators: Vec<ProjectIndicator>,
    /// What the system knows of them today (for the indicators it can compute).
    pub known: Vec<KnownValue>,
    pub rounds: Vec<EvaluationRound>,
    pub events: Vec<EvaluationEvent>,
}

impl EvaluationRecord {
    pub fn latest(&self) -> Option<&EvaluationRound> {
        self.rounds.last()
    }
    /// What the system knows of indicator `position`.
    pub fn known_of(&self, position: i64) -> Option<&KnownValue> {
        self.known.iter().find(|k| k.position == position)
    }
}

/// Which evaluations to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationFilter {
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub band: Option<String>,
    pub year: Option<i64>,
    pub project_id: Option<i64>,
    /// Only those not reviewed although due before this day (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
}
