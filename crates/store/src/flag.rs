//! Red flags (issue 20): scans of one county's books by the rules of `sunledger_core::flag`, the
//! flags they raise (once per rule and evidence key), their handling, and the settings documents
//! that override the rules' defaults.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::flag::{Evidence, FlagAction, Rule};

/// The storage of red flags (part of [`crate::Store`]).
#[async_trait]
pub trait FlagStore: Send + Sync {
    /// Scans each county in `scope` (the county of a township or village scope, with only the
    /// flags inside the scope kept) with `rules` (all when empty), on `today`: reads the books,
    /// runs the rules with the settings in force, and raises a flag for each hit whose rule and
    /// evidence key have none yet. One transaction per county; `progress` is called after each.
    async fn scan_flags(
        &self,
        scope: &RegionCode,
        rules: &[&'static Rule],
        today: i64,
        actor: Option<i64>,
        now: i64,
        progress: &(dyn for<'r> Fn(&'r ScanReport) + Send + Sync),
    ) -> Result<Vec<ScanReport>>;
    /// The rows a scan of `county` reads on `today` (for benchmarks and the CLI's dry run).
    async fn flag_input(
        &self,
        county: &RegionCode,
        today: i64,
    ) -> Result<sunledger_core::flag::Input>;
    /// A page of flags, highest severity and newest first, and the number matching.
    async fn flags(&self, f: &FlagFilter, limit: i64, offset: i64) -> Result<(Vec<Flag>, i64)>;
    async fn flag(&self, id: i64) -> Result<Option<FlagRecord>>;
    /// A step of a flag (core `FlagState::next`); opening a case creates the Book 3 problem.
    async fn flag_step(
        &self,
        id: i64,
        action: FlagAction,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<FlagRecord>;
    /// How many flags of each rule are in each state, in the scopes.
    async fn flag_counts(&self, scopes: &[RegionCode]) -> Result<Vec<RuleCount>>;
    /// Books a settings document for a city or a county (checked by core `Settings::parse`).
    async fn set_flag_settings(
        &self,
        region: &RegionCode,
        body: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<FlagSettings>;
    /// The settings in force for `county`: the city's latest document, then the county's.
    async fn flag_settings(&self, county: &RegionCode) -> Result<Vec<FlagSettings>>;
    /// The latest scans of the counties in the scopes, newest first.
    async fn flag_scans(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<FlagScan>>;
}

/// A flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Flag {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub rule_id: String,
    pub evidence_key: String,
    /// high, medium, low.
    pub severity: String,
    pub project_id: Option<i64>,
    pub amount_fen: i64,
    #[schema(value_type = Object)]
    pub evidence: Evidence,
    /// The parameter values it was computed with, `key=value` pairs.
    pub params: String,
    pub scan_id: i64,
    /// The size of the log when the books it was computed from were read.
    pub log_size: i64,
    pub raised_on: String,
    /// open, triaged, dismissed, case_opened.
    pub state: String,
    /// The Book 3 problem the case opened.
    pub problem_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FlagEvent {
    pub id: i64,
    pub flag_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: String,
    pub problem_id: Option<i64>,
    pub on_date: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FlagRecord {
    pub flag: Flag,
    pub events: Vec<FlagEvent>,
}

/// Which flags to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagFilter {
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub rule: Option<String>,
    pub severity: Option<String>,
    /// Only open and triaged flags.
    pub open_only: bool,
}

/// What a scan of one county did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub scan_id: i64,
    pub county: String,
    pub log_size: i64,
    /// Per rule: its id, the hits, the new flags among them.
    pub rules: Vec<(String, i64, i64)>,
    pub hits: i64,
    pub raised: i64,
}

/// A recorded scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FlagScan {
    pub id: i64,
    pub county: String,
    pub rules: String,
    pub on_date: String,
    pub log_size: i64,
    pub hits: i64,
    pub raised: i64,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// The flags of one rule by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleCount {
    pub rule_id: String,
    pub open: i64,
    pub triaged: i64,
    pub dismissed: i64,
    pub case_opened: i64,
}

/// A settings document booked for a city or county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FlagSettings {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub body: String,
    pub note: String,
    pub actor_id: Option<i64>,
    pub at: i64,
}
