//! The project library: projects, versions, events, objections, milestones, beneficiaries.
use crate::Result;
use crate::*;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;

/// The storage of the project library (part of [`crate::Store`]).
#[async_trait]
pub trait ProjectStore: Send + Sync {
    async fn create_project(&self, p: &NewProject, now: i64) -> Result<Project>;
    async fn project(&self, id: i64) -> Result<Option<Project>>;
    /// Creates a project with its content as version 1: a draft, or declared by the village.
    async fn create_library_project(
        &self,
        c: &sunledger_core::project::Content,
        declare: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A new version of a project's content, where its stage allows editing. After approval a
    /// note is required, and the page shows the changes against the approved version.
    async fn revise_project(
        &self,
        id: i64,
        c: &sunledger_core::project::Content,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A step on the declaration path; a county approval needs the full notice and every
    /// objection answered.
    async fn project_step(
        &self,
        id: i64,
        action: sunledger_core::project::StageAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// A step of an approved project's implementation status.
    async fn project_status_step(
        &self,
        id: i64,
        action: sunledger_core::project::StatusAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    /// Records an objection received during the project's notice.
    async fn record_objection(
        &self,
        project_id: i64,
        objector: &str,
        content: &str,
        received_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection>;
    /// Answers an objection (once).
    async fn answer_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection>;
    async fn objection(&self, id: i64) -> Result<Option<Objection>>;
    async fn add_milestone(
        &self,
        project_id: i64,
        name: &str,
        weight: i64,
        due_on: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Milestone>;
    /// A dated progress report of a milestone; returns the project with its new progress.
    async fn report_progress(
        &self,
        milestone_id: i64,
        progress: i64,
        on_date: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project>;
    async fn milestone(&self, id: i64) -> Result<Option<Milestone>>;
    async fn add_beneficiary(
        &self,
        project_id: i64,
        name: &str,
        id_number: &sunledger_core::IdNumber,
        household_size: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Beneficiary>;
    /// A page of the project library and the number of matching projects.
    async fn projects(
        &self,
        f: &ProjectFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Project>, i64)>;
    /// A project with its versions, events, objections, milestones, beneficiaries and Book 2.
    async fn project_record(&self, id: i64) -> Result<Option<ProjectRecord>>;
    /// Imports the projects of an existing library in one transaction: all of them or, on the
    /// first refusal (`StoreError::Batch` naming the project), none. Each is created with its
    /// content as version 1 (with `note` as the version's note) and then left a draft, declared
    /// by the village, or — for a project approved outside the system — put into the library
    /// with one event of action [`IMPORT_ACTION`] (from `draft` to `approved`, comment `note`):
    /// status `planned`, no notice and no county approval recorded, because none took place
    /// here. Other stages are refused.
    async fn import_projects(
        &self,
        items: &[ImportProject],
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Vec<Project>>;
    /// A project's public notice, read on one connection (the public page's hot path).
    async fn project_notice(&self, id: i64) -> Result<Option<ProjectNotice>>;
    /// The performance indicators of version `version` of a project, in order (empty when there
    /// is no such version).
    async fn indicators(&self, project_id: i64, version: i64) -> Result<Vec<ProjectIndicator>>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    /// The village (or, for records made outside the declaration path, any region).
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub name: String,
    pub fiscal_year: i64,
    pub category: String,
    /// Declaration stage: draft, declared, returned_to_village, noticed, returned_to_township,
    /// approved, recorded, revoked.
    pub stage: String,
    /// Implementation status once approved: planned, in_progress, completed, accepted, evaluated.
    pub status: Option<String>,
    /// Current content version (0: no content yet).
    pub version: i64,
    /// The version the county approved.
    pub approved_version: Option<i64>,
    /// First day of the public notice (`YYYY-MM-DD`).
    pub notice_from: Option<String>,
    /// Percent, rolled up from the milestones.
    pub progress: i64,
    /// Planned budget, all sources, fen.
    pub budget_total_fen: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub region: RegionCode,
    pub name: String,
    pub fiscal_year: FiscalYear,
}

/// One line of a planned budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    pub source: String,
    pub amount_fen: i64,
}

/// One version of a project's content (version 1 is the declaration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectVersion {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub name: String,
    pub category: String,
    pub village: String,
    pub fiscal_year: i64,
    pub budget: Vec<BudgetLine>,
    /// The performance targets (绩效目标): the indicator rows, in order.
    pub targets: Vec<ProjectIndicator>,
    pub meeting_on: String,
    pub meeting_ref: String,
    /// The meeting decision this version cites (issue 18), if any.
    pub meeting_item_id: Option<i64>,
    pub description: String,
    /// Why this version was made.
    pub note: String,
    pub actor_id: Option<i64>,
    pub created_at: i64,
}

impl ProjectVersion {
    /// The content as domain values.
    pub fn content(
        &self,
    ) -> std::result::Result<sunledger_core::project::Content, sunledger_core::DomainError> {
        use sunledger_core::project::{Budget, Category, Content};
        Ok(Content {
            name: self.name.clone(),
            category: Category::parse(&self.category)?,
            village: RegionCode::parse(&self.village)?,
            fiscal_year: FiscalYear::new(self.fiscal_year)?,
            budget: Budget::new(
                self.budget
                    .iter()
                    .map(|l| Ok((FundSource::parse(&l.source)?, Money::from_fen(l.amount_fen))))
                    .collect::<std::result::Result<Vec<_>, sunledger_core::DomainError>>()?,
            )?,
            targets: self
                .targets
                .iter()
                .map(ProjectIndicator::indicator)
                .collect::<std::result::Result<_, _>>()?,
            meeting_on: self.meeting_on.clone(),
            meeting_ref: self.meeting_ref.clone(),
            description: self.description.clone(),
            meeting_item_id: self.meeting_item_id,
        })
    }
}

/// One performance indicator of a project version (a row of its 绩效目标 table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectIndicator {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    /// The row's place in the table, from 0.
    pub position: i64,
    /// output, benefit or satisfaction (from the kind).
    pub class: String,
    /// quantity, quality, timeliness, cost, economic, social, ecological, sustainability, satisfied.
    pub kind: String,
    pub name: String,
    /// ge (≥), le (≤) or eq (=).
    pub operator: String,
    /// The target in hundredths of the unit (3.2 公里 is 320).
    pub target: i64,
    /// The target as written, e.g. `3.2`.
    pub target_text: String,
    pub unit: String,
    /// Points out of 100.
    pub weight: i64,
    /// A core indicator: missing it opens a problem.
    pub core: bool,
}

impl ProjectIndicator {
    /// The indicator as a domain value.
    pub fn indicator(
        &self,
    ) -> std::result::Result<sunledger_core::acceptance::Indicator, sunledger_core::DomainError>
    {
        use sunledger_core::acceptance::{Indicator, IndicatorKind, Operator};
        Ok(Indicator {
            kind: IndicatorKind::parse(&self.kind)?,
            name: self.name.clone(),
            operator: Operator::parse(&self.operator)?,
            target: self.target,
            unit: self.unit.clone(),
            weight: u32::try_from(self.weight).map_err(|_| {
                sunledger_core::DomainError::invalid(
                    "weight",
                    "out_of_range",
                    self.weight.to_string(),
                )
            })?,
            core: self.core,
        })
    }

    /// `≥ 3.2 公里`, `≥ 90%`.
    pub fn target_shown(&self) -> String {
        match self.indicator() {
            Ok(i) => sunledger_core::project::target_text(&i),
            Err(_) => format!("{} {} {}", self.operator, self.target_text, self.unit),
        }
    }
}

/// A step on the declaration path (`declare`, `township_approve`, ...) or of the implementation
/// status (`start`, `complete`, `accept`, `evaluate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectEvent {
    pub id: i64,
    pub project_id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The content version the step was taken on.
    pub version: i64,
    pub comment: String,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub id: i64,
    pub project_id: i64,
    pub objector: String,
    pub content: String,
    pub received_on: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub weight: i64,
    pub due_on: Option<String>,
    /// The latest reported progress, percent.
    pub progress: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MilestoneUpdate {
    pub id: i64,
    pub milestone_id: i64,
    pub progress: i64,
    pub on_date: String,
    pub note: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// A beneficiary household. `id_number` is the full number: views for the public mask it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Beneficiary {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub id_number: String,
    pub household_size: i64,
    pub added_by: Option<i64>,
    pub added_at: i64,
}

/// Which projects to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects within these subtrees (the caller's scopes, narrowed by a region filter).
    pub scopes: Vec<RegionCode>,
    pub fiscal_year: Option<i64>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    /// Projects this person was ever responsible for.
    pub person_id: Option<i64>,
    /// Name contains.
    pub name: Option<String>,
}

/// A project's whole record, as shown on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectRecord {
    pub project: Project,
    pub versions: Vec<ProjectVersion>,
    pub events: Vec<ProjectEvent>,
    pub objections: Vec<Objection>,
    pub milestones: Vec<Milestone>,
    pub updates: Vec<MilestoneUpdate>,
    pub beneficiaries: Vec<Beneficiary>,
    pub responsibilities: Vec<Responsibility>,
}

/// The `action` of the event that puts an imported project straight into the library (see
/// [`ProjectStore::import_projects`]).
pub const IMPORT_ACTION: &str = "import";

/// One project of an import of an existing project library: its content and the stage it is
/// put in — `Draft`, `Declared` or `Approved` (approved outside the system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProject {
    pub content: sunledger_core::project::Content,
    pub stage: sunledger_core::project::Stage,
}

/// What a project's public notice shows (项目公示): the project, the content the county approved
/// (or the current one before approval), its milestones, and the names of its county, township
/// and village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectNotice {
    pub project: Project,
    pub content: Option<ProjectVersion>,
    pub milestones: Vec<Milestone>,
    /// County, township, village names (those that exist), top down.
    pub place: Vec<String>,
}
