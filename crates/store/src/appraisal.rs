//! The household democratic appraisal (issue 18): the cross-check lists, and a round's
//! applications, hits and their decisions, the representatives' meeting's votes, the two notices
//! with their objections, the seeded samples of the township and the county, and the
//! announcement that changes the households' `poor` flag.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::appraisal::{CheckList, HitDecision, RoundAction, RoundKind};
use sunledger_core::{IdNumber, RegionCode};

/// The storage of the household appraisal (part of [`crate::Store`]).
#[async_trait]
pub trait AppraisalStore: Send + Sync {
    /// Books a cross-check list for a region (a county or below), all rows or none: a bad row is
    /// `StoreError::Batch` with its index.
    async fn import_crosscheck_list(
        &self,
        l: &NewCrosscheckList,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CrosscheckList>;
    /// The lists of the scopes, newest first.
    async fn crosscheck_lists(&self, scopes: &[RegionCode]) -> Result<Vec<CrosscheckList>>;
    /// A list with its rows.
    async fn crosscheck_list(
        &self,
        id: i64,
    ) -> Result<Option<(CrosscheckList, Vec<CrosscheckEntry>)>>;
    /// The rows of the standing lists of `county` (the latest list of each kind and region) that
    /// name a person: by ID number when one is given and the row has one; otherwise by name in
    /// `village` (the row's village, or a list of that village). For other features (the
    /// supervision committee's conflict rule) as for the appraisal's cross-check.
    async fn crosscheck_hits(
        &self,
        county: &str,
        village: Option<&RegionCode>,
        name: &str,
        id_number: Option<&str>,
    ) -> Result<Vec<CrosscheckHit>>;

    /// Opens a round for a village and year.
    async fn open_round(&self, r: &NewRound, actor: Option<i64>, now: i64) -> Result<Round>;
    /// An application of a household of the round's village (an open round only): identifying,
    /// a household not registered poor; exiting, one that is.
    async fn apply(&self, a: &NewApplicant, actor: Option<i64>, now: i64) -> Result<Applicant>;
    /// A step of the round, with its document, as core `appraisal::next` allows it. Closing the
    /// applications runs the cross-check and books every hit; posting a notice publishes it
    /// (window: the round's `notice_days`); the announcement sets the approved households'
    /// `poor` flag, naming itself as the cause.
    async fn round_step(
        &self,
        round_id: i64,
        action: RoundAction,
        s: &StepInput,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// Decides a hit, with its reason (once); excluding removes the applicant.
    async fn decide_hit(
        &self,
        hit_id: i64,
        decision: HitDecision,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// Records the representatives' meeting's vote on an applicant: a decision item of a
    /// representatives' meeting of the village whose outcome is passed or failed (a void item is
    /// refused); refused while the applicant has an undecided hit.
    async fn record_vote(
        &self,
        applicant_id: i64,
        item_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// Draws the township's (first notice up) or the county's (second notice up) sample of the
    /// approved applicants from `seed` (core `appraisal::sample`).
    async fn draw_round_sample(
        &self,
        round_id: i64,
        level: &str,
        seed: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// Records the check of a sampled applicant; a failed check removes the applicant.
    async fn check_sampled(
        &self,
        round_id: i64,
        applicant_id: i64,
        passed: bool,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// Answers an objection to one of the round's notices; upheld, it removes the applicant it
    /// names (the answer is the reason).
    async fn answer_round_objection(
        &self,
        objection_id: i64,
        answer: &str,
        remove: Option<i64>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round>;
    /// A round with everything on each applicant's path.
    async fn round(&self, id: i64, now: i64) -> Result<Option<RoundRecord>>;
    /// The rounds in the scopes, newest first.
    async fn rounds(&self, scopes: &[RegionCode]) -> Result<Vec<Round>>;
    /// The changes of a household's `poor` flag, oldest first.
    async fn household_changes(&self, household_id: i64) -> Result<Vec<StatusChange>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrosscheckEntry {
    /// The row of the file it came from (for messages and the record).
    pub row_no: i64,
    pub name: String,
    pub id_number: Option<IdNumber>,
    pub relation: String,
    pub of_name: String,
    pub village: Option<RegionCode>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrosscheckList {
    pub region: RegionCode,
    pub kind: CheckList,
    /// SHA-256 of the file as imported.
    pub file_sha256: String,
    pub entries: Vec<NewCrosscheckEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CrosscheckList {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub kind: String,
    pub imported_on: String,
    pub imported_by: Option<i64>,
    pub file_sha256: String,
    pub row_count: i64,
    /// Whether it is the latest list of its kind for its region.
    pub standing: bool,
}

/// A row of a list. The ID number is full here: pages mask it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CrosscheckEntry {
    pub id: i64,
    pub list_id: i64,
    pub row_no: i64,
    pub name: String,
    pub id_number: String,
    pub relation: String,
    pub of_name: String,
    pub village: Option<String>,
    pub note: String,
}

/// A row of a standing list that names the person asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CrosscheckHit {
    pub entry: CrosscheckEntry,
    /// The list's kind (`public_payroll`, `cadre_relatives`, `vehicles`, `housing`).
    pub kind: String,
    /// `id_number` or `name_village`.
    pub matched_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRound {
    pub village: RegionCode,
    pub year: i64,
    pub kind: RoundKind,
    pub rules: sunledger_core::appraisal::Rules,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplicant {
    pub round_id: i64,
    pub household_id: i64,
    pub reason: String,
    pub income_evidence: String,
}

/// What a step records: its document (a reference to the paper: minutes, a check report, a
/// notice's number) and a comment; a notice's channels for objections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepInput {
    pub document: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub year: i64,
    /// identify or exit.
    pub kind: String,
    pub notice_days: i64,
    pub township_percent: i64,
    pub county_percent: i64,
    pub state: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub applicants: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundHit {
    pub id: i64,
    pub applicant_id: i64,
    pub kind: String,
    pub matched_by: String,
    pub entry: CrosscheckEntry,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundVote {
    pub id: i64,
    pub applicant_id: i64,
    pub item_id: i64,
    pub meeting_id: i64,
    pub item_title: String,
    pub outcome: String,
    pub votes_for: Option<i64>,
    pub present: i64,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Applicant {
    pub id: i64,
    pub round_id: i64,
    pub household_id: i64,
    pub head_name: String,
    /// Full ID number of the head (officials; pages mask it).
    pub id_number: String,
    pub poor: bool,
    pub reason: String,
    pub income_evidence: String,
    pub applied_on: String,
    pub removed_on: Option<String>,
    pub removed_reason: Option<String>,
    /// `hit:ID`, `objection:ID` or `check:ID`.
    pub removed_cause: Option<String>,
    /// The latest vote's outcome (passed, failed).
    pub vote: Option<String>,
}

impl Applicant {
    /// Still in the round and approved by the vote.
    pub fn approved(&self) -> bool {
        self.removed_on.is_none() && self.vote.as_deref() == Some("passed")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundSample {
    pub id: i64,
    /// township or county.
    pub level: String,
    pub seed: String,
    pub percent: i64,
    /// Applicant ids, comma-separated, in the order drawn from.
    pub population: String,
    /// Applicant ids drawn, comma-separated, in the order of the recipe.
    pub sample: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundCheck {
    pub id: i64,
    pub sample_id: i64,
    pub applicant_id: i64,
    pub passed: bool,
    pub note: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundStep {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub on_date: String,
    pub document: String,
    pub comment: String,
    pub notice_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub id: i64,
    pub household_id: i64,
    pub poor: bool,
    pub round_id: i64,
    pub step_id: i64,
    pub at: i64,
}

/// What blocks the next step, in core's terms (the page says it in words).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundGate {
    pub applicants: u32,
    pub undecided_hits: u32,
    pub unvoted: u32,
    /// The current notice and the last day of its window.
    pub notice_id: Option<i64>,
    pub window_last_day: Option<String>,
    pub window_over: bool,
    pub unanswered: u32,
    /// The current level's sample, if drawn, and its applicants not yet checked.
    pub sample_drawn: bool,
    pub unchecked_sample: u32,
}

impl RoundGate {
    pub fn core(&self) -> sunledger_core::appraisal::Gate {
        sunledger_core::appraisal::Gate {
            applicants: self.applicants,
            undecided_hits: self.undecided_hits,
            unvoted: self.unvoted,
            window_over: self.window_over,
            unanswered: self.unanswered,
            unchecked_sample: self.unchecked_sample,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundRecord {
    pub round: Round,
    pub applicants: Vec<Applicant>,
    pub hits: Vec<RoundHit>,
    pub votes: Vec<RoundVote>,
    pub samples: Vec<RoundSample>,
    pub checks: Vec<RoundCheck>,
    pub steps: Vec<RoundStep>,
    /// The objections to the round's notices (the objector's name and phone are never here).
    pub objections: Vec<RoundObjection>,
    pub changes: Vec<StatusChange>,
    pub gate: RoundGate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoundObjection {
    pub id: i64,
    pub notice_id: i64,
    pub content: String,
    pub received_on: String,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    /// The applicant it removed, when upheld.
    pub removed_applicant: Option<i64>,
}
