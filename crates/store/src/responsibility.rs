//! Book 2, the supervision responsibility ledger, and responsibility letters.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::ledger::FiscalYear;

/// The storage of Book 2 and its responsibility letters (part of [`crate::Store`]).
#[async_trait]
pub trait ResponsibilityStore: Send + Sync {
    /// Names a person responsible for a project in a role from `start_on`.
    async fn assign_responsibility(
        &self,
        project_id: i64,
        person_id: i64,
        role: sunledger_core::responsibility::ResponsibleRole,
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
    /// One page of [`Self::responsibilities`] (same order) and how many rows there are in all.
    async fn responsibilities_page(
        &self,
        f: &ResponsibilityFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Responsibility>, i64)>;
    async fn file_letter(
        &self,
        l: &NewLetter,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ResponsibilityLetter>;
    async fn letter(&self, id: i64) -> Result<Option<ResponsibilityLetter>>;
    async fn letters(&self, scopes: &[RegionCode]) -> Result<Vec<ResponsibilityLetter>>;
}

/// A row of Book 2: a person answering for a project in a role, from `start_on` to `end_on`
/// (inclusive; open while `end_on` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Responsibility {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    #[schema(value_type = String)]
    pub project_region: RegionCode,
    pub person_id: i64,
    pub person_name: String,
    pub person_position: String,
    pub department_name: String,
    pub role: String,
    pub start_on: String,
    pub end_on: Option<String>,
    pub end_reason: Option<String>,
    pub assigned_by: Option<i64>,
    pub assigned_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResponsibilityLetter {
    pub id: i64,
    /// The township whose party committee and government signed.
    #[schema(value_type = String)]
    pub township: RegionCode,
    pub fiscal_year: i64,
    pub document_no: String,
    pub title: String,
    pub content: String,
    /// SHA-256 of the content, hex (the log records it).
    pub content_sha256: String,
    pub bureau_person_id: i64,
    pub bureau_person_name: String,
    pub township_person_id: i64,
    pub township_person_name: String,
    pub signed_on: String,
    pub filed_by: Option<i64>,
    pub filed_at: i64,
}

/// Which rows of Book 2 to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponsibilityFilter {
    pub scopes: Vec<RegionCode>,
    pub project_id: Option<i64>,
    pub person_id: Option<i64>,
    /// Only rows covering this day (`YYYY-MM-DD`).
    pub on_day: Option<String>,
    pub fiscal_year: Option<i64>,
}

/// A new responsibility letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub township: RegionCode,
    pub fiscal_year: FiscalYear,
    pub document_no: String,
    pub title: String,
    pub content: String,
    pub bureau_person_id: i64,
    pub township_person_id: i64,
    pub signed_on: String,
}
