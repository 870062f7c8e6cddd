//! Households, spot-check draws and inspections.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use sunledger_core::RegionCode;

/// The storage of inspection (part of [`Store`](crate::Store)).
#[async_trait]
pub trait InspectionStore: Send + Sync {
    /// Registers households (the spot checks' population), all or none; a bad row is
    /// `StoreError::Batch` with its index.
    async fn create_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64>;
    async fn households_in(&self, village: &RegionCode) -> Result<Vec<Household>>;
    async fn household(&self, id: i64) -> Result<Option<Household>>;
    /// Draws a spot-check sample for the counties below `region` from `seed` and `rules`,
    /// leaving out households already drawn in the same round, and logs it.
    async fn create_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &sunledger_core::supervision::SampleRules,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SpotDraw>;
    async fn draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>>;
    async fn create_inspection(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    /// Records that a planned inspection was done, with its findings (once).
    async fn complete_inspection(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection>;
    async fn inspection(&self, id: i64) -> Result<Option<Inspection>>;
    /// Inspections in `scopes`, newest first.
    async fn inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>>;
    /// (county code, day) of every done inspection in `scopes`, for the coverage view.
    async fn inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>>;
}
