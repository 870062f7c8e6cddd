//! The project library: projects, versions, events, objections, milestones, beneficiaries.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;

/// The storage of project (part of [`Store`](crate::Store)).
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
}
