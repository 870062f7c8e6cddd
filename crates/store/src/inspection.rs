//! Households, spot-check draws and inspections.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of households, spot-check draws and inspections (part of [`crate::Store`]).
#[async_trait]
pub trait InspectionStore: Send + Sync {
    /// Registers households (the spot checks' population), all or none; a bad row is
    /// `StoreError::Batch` with its index.
    async fn create_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64>;
    async fn households_in(&self, village: &RegionCode) -> Result<Vec<Household>>;
    async fn household(&self, id: i64) -> Result<Option<Household>>;
    /// Draws a spot-check sample for the counties below `region` from `seed` and `rules`, and
    /// logs it with the population it drew from. A round is drawn once: a second draw is refused
    /// unless it gives the reason it replaces the first (both stay).
    #[allow(clippy::too_many_arguments)]
    async fn create_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &sunledger_core::inspection::SampleRules,
        replace_reason: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SpotDraw>;
    /// One draw, with the population it drew from (public: household numbers, no names).
    async fn draw(&self, id: i64) -> Result<Option<(SpotDraw, Option<String>)>>;
    async fn draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>>;
    async fn create_inspection(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    /// Records that a planned inspection was done, with its findings (once): see
    /// [`sunledger_core::inspection::Completion`] for what is refused; `reason` is needed for a
    /// day before the planned one.
    #[allow(clippy::too_many_arguments)]
    async fn complete_inspection(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        reason: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    async fn inspection(&self, id: i64) -> Result<Option<Inspection>>;
    /// Inspections in `scopes`, newest first.
    async fn inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>>;
    /// One page of the inspections in `scopes` (same order as [`Self::inspections`]) and how
    /// many there are in all.
    async fn inspections_page(
        &self,
        scopes: &[RegionCode],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Inspection>, i64)>;
    /// (county code, day) of every done inspection in `scopes`, for the coverage view.
    async fn inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub head_name: String,
    /// Full resident ID number (officials only; public views mask it).
    pub id_number: String,
    /// A poor household (建档立卡) today: as registered, then as appraisal announcements changed it.
    pub poor: bool,
    /// As the household register first recorded it (what a re-import of the register compares).
    pub registered_poor: bool,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHousehold {
    pub village: RegionCode,
    pub head_name: String,
    pub id_number: sunledger_core::IdNumber,
    pub poor: bool,
    pub size: i64,
}

/// An inspection: planned, then done with its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    /// The region inspected (a county, or a township or village in it).
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// `routine` (the county's quarterly inspection) or `spot_check` (the municipal bureau's).
    pub kind: String,
    pub title: String,
    pub team: String,
    pub lead_departments: Vec<String>,
    /// `region:CODE`, `project:ID`, `household:ID` joined by `;`.
    pub targets: String,
    pub planned_on: String,
    pub draw_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub done_on: Option<String>,
    pub findings: Option<String>,
    /// Why it was done before its planned day (needed then).
    pub done_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    pub region: RegionCode,
    pub kind: String,
    pub title: String,
    pub team: String,
    pub lead_departments: Vec<sunledger_core::DepartmentKind>,
    pub targets: String,
    pub planned_on: String,
    pub draw_id: Option<i64>,
}

/// A spot-check draw and its sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SpotDraw {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// The round, e.g. `2026-11` (drawn once; a redraw replaces it with a reason).
    pub round: String,
    pub seed: String,
    /// The published rules, e.g. `villages=2;poor=20;non_poor=5`.
    pub rules: String,
    #[schema(value_type = Vec<SampledVillageSchema>)]
    pub sample: Vec<sunledger_core::inspection::SampledVillage>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    /// The draw of the same round this one replaces, with the reason.
    pub replaces: Option<i64>,
    pub reason: Option<String>,
    /// Replaced by a later draw of its round.
    pub replaced: bool,
}

/// The OpenAPI description of [`sunledger_core::inspection::SampledVillage`] (core derives
/// no schemas): one sampled village and the household numbers drawn in it.
#[derive(utoipa::ToSchema)]
#[schema(as = SampledVillage)]
#[allow(dead_code)]
pub struct SampledVillageSchema {
    county: String,
    village: String,
    poor: Vec<String>,
    non_poor: Vec<String>,
}
