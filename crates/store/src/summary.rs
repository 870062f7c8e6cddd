//! Region dashboards: rollups summed over a subtree.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of region dashboards (part of [`crate::Store`]).
#[async_trait]
pub trait SummaryStore: Send + Sync {
    /// The dashboard of `region`'s subtree on day `today` (a day number, for detention).
    async fn region_summary(&self, region: &RegionCode, today: i64) -> Result<RegionSummary>;
}

/// Sums over a set of ledger accounts (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MoneyTotals {
    pub accounts: i64,
    pub credited: i64,
    pub debited: i64,
    pub held: i64,
    pub in_transit: i64,
    /// credited − debited − held.
    pub available: i64,
}

/// A direct child region reconciled against what was dispatched to it, all funds together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChildRecon {
    pub region_code: String,
    pub region_name: String,
    /// Appropriations dispatched to the child (fen): received + in transit.
    pub dispatched: i64,
    /// Of which the child confirmed (fen).
    pub received: i64,
    /// Dispatched but not confirmed (fen): a difference to explain (截留?).
    pub in_transit: i64,
    /// Booking day of the oldest appropriation still unconfirmed.
    pub oldest_unconfirmed: Option<String>,
}

/// A count by key (a project status or stage, a problem state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyCount {
    pub key: String,
    pub count: i64,
}

/// A region's dashboard: everything in its subtree summed, computed from the maintained account
/// balances and indexes (no transfer history is scanned except the credits of accounts that
/// still hold money, for detention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegionSummary {
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// The day the detention is measured on (`YYYY-MM-DD`).
    pub today: String,
    /// The region's own accounts (funds held at this level).
    pub own: MoneyTotals,
    /// Region accounts below it (lower levels).
    pub below: MoneyTotals,
    /// Project accounts in the subtree; `debited` is what was paid or passed on.
    pub projects: MoneyTotals,
    /// Money at a level (region accounts in the subtree) unallocated past its fund's deadline.
    pub detained_fen: i64,
    pub detained_accounts: i64,
    /// Days past the deadline of the oldest detained money.
    pub detained_max_days: Option<i64>,
    pub children: Vec<ChildRecon>,
    /// Library projects by stage; approved ones also by status (`status.<key>`).
    pub projects_by_stage: Vec<KeyCount>,
    pub projects_by_status: Vec<KeyCount>,
    /// Book 3 problems by state.
    pub problems_by_state: Vec<KeyCount>,
    /// Red flags by state (open, triaged, dismissed, case_opened).
    pub flags_by_state: Vec<KeyCount>,
    /// Active suspensions of payment inside the subtree.
    pub suspensions: i64,
    /// Book 4 applications not inspected within their county's inspection days (issue 17; the
    /// list: `/acceptances?overdue=1`).
    pub overdue_acceptances: i64,
    /// Book 4 evaluations not reviewed by their due day (the list: `/evaluations?overdue=1`).
    pub overdue_evaluations: i64,
}
