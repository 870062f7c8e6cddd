//! Project assets (项目资产): the register the county keeps of what accepted projects produced.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::asset::{
    AssetAction, AssetClass, Decision, DisposalKind, Distribution, OwnerLevel, ValueSplit,
};
use sunledger_core::money::Money;

/// The storage of project assets (part of [`crate::Store`]).
#[async_trait]
pub trait AssetStore: Send + Sync {
    /// Registers an asset of an accepted (or evaluated) project, with a new number.
    async fn register_asset(&self, a: &NewAsset, actor: Option<i64>, now: i64) -> Result<Asset>;
    /// A transfer (new owner and custodian) or a disposal, on a recorded decision.
    async fn asset_step(
        &self,
        id: i64,
        step: &AssetStep,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Asset>;
    async fn asset(&self, id: i64) -> Result<Option<Asset>>;
    /// An asset with its events, oldest first.
    async fn asset_record(&self, id: i64) -> Result<Option<AssetRecord>>;
    /// A page of the register by number, and the number matching.
    async fn assets(&self, f: &AssetFilter, limit: i64, offset: i64) -> Result<(Vec<Asset>, i64)>;
    /// The village registers' totals of assets in service: one row per village, class and
    /// owner level, with the filter's scopes and region.
    async fn asset_totals(&self, f: &AssetFilter) -> Result<Vec<AssetTotal>>;
    /// The county's total of assets in service (count, fen), counted over the county itself.
    async fn asset_county_total(&self, county: &RegionCode) -> Result<(i64, i64)>;
}

/// One asset as it is now (its registration, and its current owner, custodian and state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: i64,
    /// `530121-2026-0007`: county, year, sequence.
    pub number: String,
    pub project_id: i64,
    pub project_name: String,
    pub name: String,
    /// productive, public_welfare, household.
    pub class: String,
    pub quantity: String,
    pub unit: String,
    /// The original value by fund source.
    pub value: Vec<crate::BudgetLine>,
    pub value_total_fen: i64,
    /// Income shares in percent (productive assets).
    pub distribution: Vec<Share>,
    /// The owner at registration.
    pub first_owner_level: String,
    #[schema(value_type = String)]
    pub first_owner_region: RegionCode,
    /// registered, transferred, disposed.
    pub state: String,
    /// county, township, village or household.
    pub owner_level: String,
    /// The owning region (for a household, its village).
    #[schema(value_type = String)]
    pub owner_region: RegionCode,
    pub household_id: Option<i64>,
    /// The household head's name (never the ID number).
    pub household_head: Option<String>,
    pub custodian: String,
    pub custodian_person: String,
    /// The village whose register lists the asset.
    #[schema(value_type = String)]
    pub village: RegionCode,
    pub registered_on: String,
    pub registered_by: Option<i64>,
    pub registered_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub holder: String,
    pub percent: i64,
}

/// A transfer or disposal, with the decision behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssetEvent {
    pub id: i64,
    pub asset_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub owner_level: Option<String>,
    pub owner_region: Option<String>,
    pub household_id: Option<i64>,
    pub custodian: Option<String>,
    pub custodian_person: Option<String>,
    pub disposal_kind: Option<String>,
    pub proceeds_fen: Option<i64>,
    /// meeting or document.
    pub decision_kind: String,
    pub decision_on: Option<String>,
    pub decision_ref: String,
    pub reason: String,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssetRecord {
    pub asset: Asset,
    pub events: Vec<AssetEvent>,
}

/// Who owns an asset: a region of the owner's level, or a household of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetOwner {
    pub level: OwnerLevel,
    /// The region (county, township or village); ignored for a household.
    pub region: Option<RegionCode>,
    pub household_id: Option<i64>,
    pub custodian: String,
    pub custodian_person: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAsset {
    pub project_id: i64,
    pub name: String,
    pub class: AssetClass,
    pub quantity: String,
    pub unit: String,
    pub value: ValueSplit,
    pub distribution: Option<Distribution>,
    pub owner: AssetOwner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetStep {
    pub action: AssetAction,
    pub decision: Decision,
    /// The new owner and custodian (transfers).
    pub owner: Option<AssetOwner>,
    /// How it is disposed of (disposals).
    pub disposal_kind: Option<DisposalKind>,
    /// What an auction or sale brought (disposals).
    pub proceeds: Option<Money>,
}

/// Which assets. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetFilter {
    pub scopes: Vec<RegionCode>,
    /// Only assets on the registers of villages in this subtree.
    pub region: Option<RegionCode>,
    pub class: Option<String>,
    pub owner_level: Option<String>,
    pub state: Option<String>,
    pub project_id: Option<i64>,
    /// Only assets in service (not disposed).
    pub in_service: bool,
}

/// One village register's total for a class and owner level (assets in service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssetTotal {
    #[schema(value_type = String)]
    pub village: RegionCode,
    pub class: String,
    pub owner_level: String,
    pub count: i64,
    pub value_fen: i64,
}
