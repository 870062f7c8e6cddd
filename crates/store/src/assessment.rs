//! The annual county assessment (issue 21): the rows each measure counts in a county's books as
//! of a moment, the schemes (versioned documents of a city's year), the round of a city's year
//! (draft → reviewed → published, with its published snapshots) and the counties' appeals.
use crate::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sunledger_core::RegionCode;
use sunledger_core::assessment::{Card, MeasureRow, Scheme};

/// The storage of the assessment (part of [`crate::Store`]).
#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// The rows every measure counts for `county` in `year`, reading only records booked at or
    /// before the Unix time `as_of` (the as-of day is its Beijing day). Sorted by measure, source
    /// and source id, so the same books give the same rows on both backends.
    async fn assessment_rows(
        &self,
        county: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<Vec<MeasureRow>>;

    /// Books a new version of `city`'s scheme for the year the document names (checked by core
    /// `Scheme::parse`; the first error is returned, naming its item and field).
    async fn set_assessment_scheme(
        &self,
        city: &RegionCode,
        body: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SchemeVersion>;

    /// The versions of `city`'s scheme for `year`, newest first.
    async fn assessment_schemes(&self, city: &RegionCode, year: i32) -> Result<Vec<SchemeVersion>>;

    /// The scores of every county of `city` for `year` as of `as_of`, by the latest scheme
    /// version booked by then (else the built-in default), with the appeals upheld by then.
    async fn assessment_scores(
        &self,
        city: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<AssessmentScores>;

    /// One county's card as of `as_of` (as `assessment_scores` computes it) with the scheme it
    /// was scored by: what the problem page previews a step against.
    async fn assessment_card(
        &self,
        county: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<(Scheme, Card)>;

    /// The round of `city`'s year: its state, steps and publications (a round that was never
    /// stepped is a draft with none).
    async fn assessment_round(&self, city: &RegionCode, year: i32) -> Result<AssessmentRound>;

    /// A step of the round (core `RoundState::next`). Publishing computes the scores as of `now`
    /// and books them as a snapshot (the table, its SHA-256 and the log size) in the same
    /// transaction; the one who reviewed may not publish (`duty::Control::PublishAssessment`).
    async fn assessment_round_step(
        &self,
        city: &RegionCode,
        year: i32,
        action: sunledger_core::assessment::RoundAction,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<AssessmentRound>;

    /// A county's appeal of a row that cost it points (the item and the row's key, as the live
    /// scores show them), with its reasons and evidence.
    async fn file_assessment_appeal(
        &self,
        appeal: &NewAssessmentAppeal,
        now: i64,
    ) -> Result<AssessmentAppeal>;

    /// The bureau's decision: upheld (the points restored) or dismissed, with its reasons. Each
    /// decision is an event of its own.
    async fn decide_assessment_appeal(
        &self,
        id: i64,
        uphold: bool,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<AssessmentAppeal>;

    /// The appeals of `year` in the counties under `scope`, newest first.
    async fn assessment_appeals(
        &self,
        scope: &RegionCode,
        year: i32,
    ) -> Result<Vec<AssessmentAppeal>>;
}

/// A booked version of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SchemeVersion {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub year: i32,
    pub version: i64,
    /// The document (JSON).
    pub body: String,
    pub note: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// The scores of a city's counties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentScores {
    pub year: i32,
    pub as_of: i64,
    /// The scheme version used; `None`: the built-in default.
    pub scheme_id: Option<i64>,
    pub scheme_version: Option<i64>,
    pub scheme: Scheme,
    /// In code order.
    pub counties: Vec<CountyScore>,
}

/// One county's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountyScore {
    pub code: String,
    pub name: String,
    pub card: Card,
}

impl AssessmentScores {
    /// `(county, card)` pairs, as core's `table_text` takes them.
    pub fn cards(&self) -> Vec<(String, Card)> {
        self.counties
            .iter()
            .map(|c| (c.code.clone(), c.card.clone()))
            .collect()
    }
}

/// A city's round for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssessmentRound {
    /// `None` until the first step.
    pub id: Option<i64>,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub year: i32,
    /// draft, reviewed, published.
    pub state: String,
    pub steps: Vec<AssessmentStep>,
    /// Newest first; the first is the one in force while the round is published.
    pub publications: Vec<AssessmentPublication>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssessmentStep {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: String,
    pub publication_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// A published snapshot of the scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssessmentPublication {
    pub id: i64,
    pub scheme_id: i64,
    /// The moment the scores were computed as of.
    pub as_of: i64,
    /// The size of the log when they were computed.
    pub log_size: i64,
    /// The score table (core `table_text`) and its SHA-256.
    pub table: String,
    pub hash: String,
    /// The cards with their rows, as JSON (what the published drill-down shows).
    pub cards: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// An appeal to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessmentAppeal {
    pub county: RegionCode,
    pub year: i32,
    pub item: String,
    /// `source:id` of the row, as the scores show it.
    pub row_key: String,
    pub reason: String,
    pub evidence: String,
    pub actor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssessmentAppeal {
    pub id: i64,
    #[schema(value_type = String)]
    pub county: RegionCode,
    pub county_name: String,
    pub year: i32,
    pub item: String,
    pub row_key: String,
    /// The row's label when it was filed (a document number, a title).
    pub row_label: String,
    pub reason: String,
    pub evidence: String,
    /// filed, upheld, dismissed.
    pub state: String,
    pub actor_id: Option<i64>,
    pub at: i64,
    pub decision: Option<AssessmentDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssessmentDecision {
    pub id: i64,
    /// upheld, dismissed.
    pub action: String,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}
