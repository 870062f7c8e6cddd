//! Book 4, acceptance: a completed project applied for, prechecked by the township, inspected by
//! the county's joint team whose members sign one by one, posted for objections and accepted; or
//! failed, rectified by a deadline and inspected again. Also the county's Book 4 numbers.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::acceptance::{Grade, Opinion, Rules};

/// The storage of Book 4's acceptances (part of [`crate::Store`]).
#[async_trait]
pub trait AcceptanceStore: Send + Sync {
    /// Applies for the acceptance of a completed project (one acceptance per project).
    async fn apply_acceptance(
        &self,
        a: &NewApplication,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    /// The township's preliminary check (not by the applicant).
    async fn precheck_acceptance(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    /// Forms the county's joint team from accounts (each with a person in a department of the
    /// project's county); it must have county finance, the poverty bureau and a business department.
    async fn form_acceptance_team(
        &self,
        id: i64,
        members: &[i64],
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    /// A team member records the team's inspection: the checklist, grade and findings. A failed
    /// one needs a deadline: the acceptance goes to rectification and a Book 3 problem opens.
    async fn inspect_acceptance(
        &self,
        id: i64,
        i: &NewAcceptanceInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    /// A team member signs the latest report with their own account. When every member has
    /// signed in agreement, signing is complete.
    async fn sign_acceptance(
        &self,
        id: i64,
        opinion: Opinion,
        reason: &str,
        actor: i64,
        now: i64,
    ) -> Result<Acceptance>;
    /// Posts the signed result: `notice_id` is a published notice of kind `acceptance` for this
    /// project.
    async fn post_acceptance(
        &self,
        id: i64,
        notice_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    /// Accepts the project after the posting window, every objection answered (not by the one who
    /// recorded the inspection); the project's status becomes accepted.
    async fn accept_project(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance>;
    async fn acceptance(&self, id: i64) -> Result<Option<AcceptanceRecord>>;
    async fn acceptance_of_project(&self, project_id: i64) -> Result<Option<Acceptance>>;
    /// A page of Book 4, oldest application first, and the number matching.
    async fn acceptances(
        &self,
        f: &AcceptanceFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Acceptance>, i64)>;
    /// Book 4 itself, the filing table: a page of acceptances by region and application day, each
    /// with its team, signatures, grade, assets, beneficiaries, performance targets and every
    /// scheduled evaluation (scores only from reviewed ones), and the number matching.
    async fn book4(&self, f: &Book4Filter, limit: i64, offset: i64)
    -> Result<(Vec<Book4Row>, i64)>;
    /// The county's Book 4 numbers (the defaults when it set none).
    async fn acceptance_rules(&self, county_code: &str) -> Result<CountyRules>;
    async fn set_acceptance_rules(
        &self,
        county_code: &str,
        rules: &Rules,
        basis: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CountyRules>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub project_id: i64,
    /// What was completed, in the applicant's words.
    pub application: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAcceptanceInspection {
    /// `YYYY-MM-DD`, not after today.
    pub inspected_on: String,
    /// Each of `acceptance::CHECKS` passed or not, in order.
    pub passed: Vec<bool>,
    pub grade: Grade,
    pub findings: String,
    /// The rectification deadline (`YYYY-MM-DD`), required when failed.
    pub deadline: Option<String>,
}

/// One acceptance, as Book 4 lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Acceptance {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub category: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub state: String,
    pub applied_on: String,
    pub application: String,
    pub applied_by: Option<i64>,
    /// The county inspection is due by this day (application + the county's inspection days).
    pub inspect_by: String,
    pub inspected_on: Option<String>,
    /// The grade of the latest inspection.
    pub grade: Option<String>,
    pub rounds: i64,
    pub members: i64,
    /// Members who signed the latest report in agreement, and whether any disagreed.
    pub agreed: i64,
    pub disagreed: i64,
    pub deadline: Option<String>,
    pub notice_id: Option<i64>,
    pub accepted_on: Option<String>,
    /// The project's arranged money and the part retained until acceptance (fen).
    pub arranged_fen: i64,
    pub retained_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AcceptanceEvent {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
    pub on_date: String,
    pub deadline: Option<String>,
    pub notice_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub id: i64,
    pub user_id: i64,
    pub person_id: i64,
    pub name: String,
    pub position: String,
    pub department_id: i64,
    pub unit_name: String,
    /// The unit's kind (`finance_bureau`, `poverty_bureau`, `business_department`, ...).
    pub unit_kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AcceptanceInspection {
    pub id: i64,
    pub round: i64,
    pub inspected_on: String,
    /// Each check's key and whether it passed.
    pub checklist: Vec<(String, bool)>,
    pub grade: String,
    pub findings: String,
    pub deadline: Option<String>,
    pub report_sha256: String,
    pub actor_id: Option<i64>,
    pub signoffs: Vec<SignOff>,
}

/// A member's sign-off, with the index of its leaf in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignOff {
    pub id: i64,
    pub member_id: i64,
    pub report_sha256: String,
    pub grade: String,
    pub opinion: String,
    pub reason: String,
    pub signed_on: String,
    pub at: i64,
    pub log_index: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AcceptanceRecord {
    pub acceptance: Acceptance,
    pub events: Vec<AcceptanceEvent>,
    pub members: Vec<TeamMember>,
    pub inspections: Vec<AcceptanceInspection>,
}

impl AcceptanceRecord {
    pub fn latest(&self) -> Option<&AcceptanceInspection> {
        self.inspections.last()
    }
    /// Each member's latest sign-off of the latest report.
    pub fn current_signoff(&self, member_id: i64) -> Option<&SignOff> {
        self.latest()?
            .signoffs
            .iter()
            .rev()
            .find(|s| s.member_id == member_id)
    }
}

/// Which acceptances to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptanceFilter {
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub grade: Option<String>,
    /// Only those not inspected by this day (`YYYY-MM-DD`) although due.
    pub overdue_on: Option<String>,
}

/// Which rows of Book 4 itself to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book4Filter {
    pub scopes: Vec<RegionCode>,
    pub fiscal_year: Option<i64>,
    pub category: Option<String>,
    /// The grade of the latest inspection.
    pub grade: Option<String>,
    /// The acceptance's state.
    pub state: Option<String>,
    /// The band of the latest reviewed evaluation.
    pub band: Option<String>,
    /// Only the database of implemented projects: accepted or evaluated projects.
    pub implemented: bool,
}

/// A member of the team, by name and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Book4Member {
    pub name: String,
    pub unit_name: String,
    /// The unit's kind (`finance_bureau`, `poverty_bureau`, `business_department`, ...).
    pub unit_kind: String,
}

/// One scheduled evaluation of an accepted project. Its score is shown only once reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Book4Evaluation {
    /// Years after acceptance (0: on acceptance).
    pub year: i64,
    pub due_on: String,
    /// due, recorded or reviewed.
    pub state: String,
    /// Hundredths of a point out of 10 000 (reviewed only).
    pub total: Option<i64>,
    /// excellent, good, fair or poor (reviewed only).
    pub band: Option<String>,
    pub reviewed_on: Option<String>,
}

/// One row of Book 4 itself: a project's acceptance and what it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Book4Row {
    pub acceptance_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub category: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub fiscal_year: i64,
    /// The project's status (`accepted`, `evaluated`, ...).
    pub status: Option<String>,
    /// The acceptance's state.
    pub state: String,
    pub applied_on: String,
    pub application: String,
    pub team: Vec<Book4Member>,
    /// Members who signed the latest report in agreement, in disagreement, of how many.
    pub members: i64,
    pub agreed: i64,
    pub disagreed: i64,
    pub inspected_on: Option<String>,
    pub grade: Option<String>,
    pub accepted_on: Option<String>,
    /// The approved budget (fen).
    pub budget_fen: i64,
    /// Assets on the register (not disposed of), and their original value (fen).
    pub assets: i64,
    pub assets_fen: i64,
    /// Households on the beneficiary list, and the people in them.
    pub households: i64,
    pub people: i64,
    /// Every scheduled evaluation, by year.
    pub evaluations: Vec<Book4Evaluation>,
    /// The performance targets of the approved version.
    pub targets: Vec<crate::ProjectIndicator>,
}

impl Book4Row {
    /// The evaluation of `year` after acceptance, if scheduled.
    pub fn evaluation(&self, year: i64) -> Option<&Book4Evaluation> {
        self.evaluations.iter().find(|e| e.year == year)
    }
    /// The latest reviewed evaluation.
    pub fn latest_reviewed(&self) -> Option<&Book4Evaluation> {
        self.evaluations
            .iter()
            .filter(|e| e.state == "reviewed" && e.total.is_some())
            .max_by_key(|e| e.year)
    }
}

/// A county's Book 4 numbers and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CountyRules {
    pub county_code: String,
    pub inspection_days: i64,
    pub retention_percent: u32,
    pub posting_days: i64,
    pub evaluation_years: Vec<u32>,
    /// The county's document or meeting, or the default's source.
    pub basis: String,
    /// Whether these are the defaults (the county set none).
    pub default: bool,
}

impl CountyRules {
    pub fn rules(&self) -> Rules {
        Rules {
            inspection_days: self.inspection_days,
            retention_percent: self.retention_percent,
            posting_days: self.posting_days,
            evaluation_years: self.evaluation_years.clone(),
        }
    }
}
