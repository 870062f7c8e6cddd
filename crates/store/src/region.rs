//! Regions: the code tree city → county → township → village.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use std::collections::HashMap;
use sunledger_core::Level;
use sunledger_core::RegionCode;

/// The storage of regions (part of [`crate::Store`]).
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Region {
    #[schema(value_type = String)]
    pub code: RegionCode,
    pub name: String,
    #[schema(value_type = String)]
    pub level: Level,
    #[schema(value_type = Option<String>)]
    pub parent: Option<RegionCode>,
    /// Number of direct children (filled by listing queries; 0 where not computed).
    pub children: i64,
}

/// A region to insert or rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegion {
    pub code: RegionCode,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub renamed: u64,
}
