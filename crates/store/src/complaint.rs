//! Complaints and reports from the masses (issue 19): filed on the public form or taken by an
//! official, routed away from the accused, handled step by step, published without the
//! complainant.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::complaint::{
    Channel, ComplaintAction, ComplaintCategory, Finding, Rules, Step,
};
use sunledger_core::day::Calendar;
use sunledger_core::{Level, RegionCode};

/// The storage of complaints (part of [`crate::Store`]).
#[async_trait]
pub trait ComplaintStore: Send + Sync {
    /// Files a complaint: routed by core `complaint::route` (refused for a region the city does
    /// not hold), with its files, in one transaction.
    async fn file_complaint(&self, n: &NewComplaint, now: i64) -> Result<Complaint>;
    /// A step of the complaint's handling (core `ComplaintState::next`), checked against the
    /// clocks on `now`'s day; an answer that finds the facts opens a Book 3 problem.
    async fn complaint_step(
        &self,
        id: i64,
        step: &ComplaintStepInput,
        clock: (&Rules, &Calendar),
        actor: Option<i64>,
        now: i64,
    ) -> Result<ComplaintRecord>;
    async fn complaint(&self, id: i64) -> Result<Option<ComplaintRecord>>;
    /// The complaint's id and PIN hash by its receipt code.
    async fn complaint_pin(&self, code: &str) -> Result<Option<(i64, String)>>;
    /// The complaints whose handler lies in the scopes (all of them: the caller orders them by
    /// their clocks), each with its steps.
    async fn complaints(&self, f: &ComplaintFilter) -> Result<Vec<Complaint>>;
    /// Publishes an answered complaint without the complainant (on their consent, or on the
    /// unit's decision with a reason).
    async fn publish_complaint(
        &self,
        id: i64,
        p: &NewPublication,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ComplaintRecord>;
    /// Published complaints about regions in `scope` (all when none), newest first.
    async fn published_complaints(
        &self,
        scope: Option<&RegionCode>,
        limit: i64,
    ) -> Result<Vec<PublishedComplaint>>;
    /// An attached file: its name, type and bytes.
    async fn complaint_file(
        &self,
        complaint_id: i64,
        position: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>>;
    /// The complaint whose answer (or escalation) opened a Book 3 problem: its id and code.
    async fn complaint_of_problem(&self, problem_id: i64) -> Result<Option<(i64, String)>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    /// `SL-2026-` and 8 random characters (core `complaint::receipt_code`).
    pub code: String,
    pub pin_hash: String,
    pub channel: Channel,
    pub category: ComplaintCategory,
    pub region: RegionCode,
    pub project_id: Option<i64>,
    pub fund_text: String,
    pub accused_text: String,
    /// The level of the region the accused serves (village, township, county).
    pub accused_level: Option<Level>,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
    pub name: String,
    pub contact: String,
    pub consent: bool,
    /// The day it was received (today for the public form; an official may give an earlier day
    /// for a letter).
    pub received_on: String,
    pub intake_by: Option<i64>,
    pub files: Vec<NewFile>,
    pub rules: Rules,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub name: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintStepInput {
    pub action: ComplaintAction,
    pub text: String,
    pub finding: Option<Finding>,
    /// A transfer's new handler.
    pub transfer_to: Option<RegionCode>,
    /// The complaint a duplicate repeats.
    pub merge_into: Option<i64>,
    /// The unit the problem an answer opens is against (else the region's own).
    pub department_id: Option<i64>,
    /// Taken with the receipt code and PIN.
    pub by_complainant: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    /// The complainant agreed (`consent`) or the unit decided (`unit_decision`, with a reason).
    pub basis: String,
    pub reason: String,
    pub found: String,
    pub done: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    /// Handlers in these regions' subtrees.
    pub scopes: Vec<RegionCode>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// Complaints about regions in this subtree.
    pub region: Option<RegionCode>,
}

/// A complaint. `name` and `contact` are the complainant's (empty when anonymous); pages for the
/// public never show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    pub id: i64,
    pub code: String,
    pub channel: String,
    pub category: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub fund_text: String,
    pub accused_text: String,
    pub accused_region: Option<String>,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
    pub name: String,
    pub contact: String,
    pub consent: bool,
    pub received_on: String,
    pub intake_by: Option<i64>,
    #[schema(value_type = String)]
    pub handler_region: RegionCode,
    pub handler_name: String,
    pub handler_unit: String,
    pub state: String,
    pub merged_into: Option<i64>,
    pub finding: Option<String>,
    pub problem_id: Option<i64>,
    pub published: bool,
    /// Its steps, oldest first (what its clock is replayed from).
    pub steps: Vec<StepDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StepDay {
    pub action: String,
    pub on_date: String,
}

impl Complaint {
    /// Its steps as core's clock replays them (unknown keys or days are left out: the schema
    /// keeps them out).
    pub fn clock_steps(&self) -> Vec<Step> {
        self.steps
            .iter()
            .filter_map(|s| {
                Some(Step {
                    action: ComplaintAction::parse(&s.action).ok()?,
                    day: sunledger_core::day::number(&s.on_date)?,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintEvent {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub text: String,
    pub finding: Option<String>,
    pub handler_region: Option<String>,
    pub handler_unit: Option<String>,
    pub merged_into: Option<i64>,
    pub problem_id: Option<i64>,
    pub on_date: String,
    pub by_complainant: bool,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintFileInfo {
    pub position: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintPublication {
    pub basis: String,
    pub reason: String,
    pub found: String,
    pub done: String,
    pub published_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintRecord {
    pub complaint: Complaint,
    pub events: Vec<ComplaintEvent>,
    pub files: Vec<ComplaintFileInfo>,
    pub publication: Option<ComplaintPublication>,
    /// The complaints merged into this one.
    pub duplicates: Vec<i64>,
}

/// What the public portal shows of an answered complaint: no code, no name, no contact, no text
/// of the complainant's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishedComplaint {
    pub id: i64,
    pub category: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub finding: Option<String>,
    pub found: String,
    pub done: String,
    pub published_on: String,
}
