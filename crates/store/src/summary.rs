//! Region dashboards: rollups summed over a subtree.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use sunledger_core::RegionCode;

/// The storage of summary (part of [`Store`](crate::Store)).
#[async_trait]
pub trait SummaryStore: Send + Sync {
    /// The dashboard of `region`'s subtree on day `today` (a day number, for detention).
    async fn region_summary(&self, region: &RegionCode, today: i64) -> Result<RegionSummary>;
}
