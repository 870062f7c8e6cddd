//! Regions: the code tree city → county → township → village.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use std::collections::HashMap;
use sunledger_core::RegionCode;

/// The storage of region (part of [`Store`](crate::Store)).
#[async_trait]
pub trait RegionStore: Send + Sync {
    /// Every stored region code with its name (for validating an import against what exists).
    async fn region_names(&self) -> Result<HashMap<RegionCode, String>>;
    /// Inserts new regions and renames existing ones, in one transaction. Never deletes.
    async fn upsert_regions(&self, rows: &[NewRegion], now: i64) -> Result<UpsertCounts>;
    async fn region(&self, code: &RegionCode) -> Result<Option<Region>>;
    async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>>;
    /// Regions without a parent: the provinces.
    async fn region_roots(&self) -> Result<Vec<Region>>;
    async fn region_count(&self) -> Result<i64>;
}
