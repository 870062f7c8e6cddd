//! Village meetings and their votes (issue 18): called with the roster frozen, attendance ticked
//! on the roster, items decided by vote (void without a quorum), minutes confirmed by attendees.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;
use sunledger_core::meeting::{Ballot, MeetingKind, RosterBasis};

/// The storage of village meetings (part of [`crate::Store`]).
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Calls a meeting of a village: the roster is frozen now — the village's households from the
    /// register for a villagers' meeting counted by households, else the names given.
    async fn call_meeting(&self, m: &NewMeeting, actor: Option<i64>, now: i64) -> Result<Meeting>;
    /// Ticks (or unticks) a line of the roster as present; the meeting is held from its first tick.
    async fn mark_attendance(
        &self,
        meeting_id: i64,
        roster_id: i64,
        present: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting>;
    /// Ticks several lines at once (the roster form on a phone), in one transaction.
    async fn mark_attendance_lines(
        &self,
        meeting_id: i64,
        lines: &[(i64, bool)],
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting>;
    /// Records an agenda item; a decision item with its tally, decided by the rule (void without
    /// a quorum).
    async fn record_item(
        &self,
        meeting_id: i64,
        item: &NewItem,
        actor: Option<i64>,
        now: i64,
    ) -> Result<MeetingItem>;
    /// Records the minutes (their SHA-256 goes into the log).
    async fn record_minutes(
        &self,
        meeting_id: i64,
        minutes: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting>;
    /// An attendee confirms the minutes as they stand.
    async fn confirm_minutes(&self, meeting_id: i64, roster_id: i64, now: i64) -> Result<Meeting>;
    async fn meeting(&self, id: i64) -> Result<Option<MeetingRecord>>;
    /// A decision item with its meeting (what a project's declaration cites).
    async fn meeting_item(&self, id: i64) -> Result<Option<ItemOfMeeting>>;
    /// The decision items of a village's meetings that passed, newest first (what a declaration
    /// may cite).
    async fn passed_items(&self, village: &RegionCode) -> Result<Vec<ItemOfMeeting>>;
    /// A page of meetings in the scopes, newest first, and the number matching.
    async fn meetings(
        &self,
        scopes: &[RegionCode],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Meeting>, i64)>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub village: RegionCode,
    pub kind: MeetingKind,
    pub basis: RosterBasis,
    pub title: String,
    /// `YYYY-MM-DD`: a villagers' meeting at least the rule's days after today.
    pub planned_on: String,
    pub named_votes: bool,
    /// The representatives or members, by name (ignored when the roster is the households).
    pub members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub title: String,
    /// A decision item carries a tally.
    pub tally: Option<sunledger_core::meeting::Tally>,
    /// The project whose declaration the decision approves.
    pub project_id: Option<i64>,
    /// Named-vote mode: each attendee's ballot by roster line (the tally is derived from them;
    /// the rest of those present are blank). Never public.
    pub ballots: Vec<(i64, Ballot)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub kind: String,
    pub basis: String,
    pub title: String,
    pub called_on: String,
    pub planned_on: String,
    pub held_on: Option<String>,
    pub named_votes: bool,
    pub roster_size: i64,
    pub present: i64,
    pub quorum_needed: i64,
    pub quorum_met: bool,
    pub minutes_sha256: Option<String>,
    /// called, held.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RosterLine {
    pub id: i64,
    pub position: i64,
    pub household_id: Option<i64>,
    pub name: String,
    pub present: bool,
    /// The minutes' hash this attendee confirmed, if any.
    pub confirmed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeetingItem {
    pub id: i64,
    pub meeting_id: i64,
    pub position: i64,
    pub title: String,
    pub decision: bool,
    pub project_id: Option<i64>,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    pub votes_abstain: Option<i64>,
    /// passed, failed or void (decision items).
    pub outcome: Option<String>,
    /// The quorum the vote was taken under: the roster and those present then.
    pub roster_size: i64,
    pub present: i64,
    /// Whether the tally was derived from named ballots.
    pub named: bool,
}

/// A decision item with its meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemOfMeeting {
    pub item: MeetingItem,
    pub meeting: Meeting,
}

/// One attendee's ballot on a decision item (named-vote mode; internal only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BallotLine {
    pub item_id: i64,
    pub roster_id: i64,
    pub name: String,
    /// for, against or abstain.
    pub ballot: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub roster: Vec<RosterLine>,
    pub items: Vec<MeetingItem>,
    pub minutes: Option<String>,
    /// The named ballots (named-vote mode). Internal: never on a public page or the public API.
    pub ballots: Vec<BallotLine>,
}
