//! Meetings' operations: permission on the village (the village cadre, the township), inputs
//! parsed into core types, one store call each.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::meeting::{Ballot, MeetingKind, RosterBasis, Tally};
use sunledger_core::{Permission, Role};
use sunledger_store::{Meeting, MeetingItem, MeetingRecord, NewItem, NewMeeting};

/// Who calls a meeting and keeps its record (the roster, the votes, the minutes): the village
/// cadre and the township for their villages.
pub const KEEPERS: &[Role] = &[Role::VillageCadre, Role::TownshipOfficial];

/// A meeting the caller may see (internal data of its village), else `NotFound`.
pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<MeetingRecord, WebError> {
    let r = state.store.meeting(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.meeting.region)?;
    Ok(r)
}

/// A meeting the caller may keep.
async fn kept(state: &AppState, ctx: &Ctx, id: i64) -> Result<MeetingRecord, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(KEEPERS, &r.meeting.region)?;
    Ok(r)
}

/// Calling a meeting.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct CallInput {
    /// The village's 12-digit code.
    pub village: String,
    /// villagers, representatives or committee.
    pub kind: String,
    /// adults or households (a villagers' meeting counted by households takes the register's
    /// households as its roster).
    #[serde(default)]
    pub basis: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub planned_on: String,
    #[serde(default)]
    pub named_votes: bool,
    /// The roster: the representatives or the committee's members, by name (one a line on the
    /// page; ignored when the roster is the register's households).
    #[serde(default)]
    pub roster: Vec<String>,
}

pub async fn call(state: &AppState, ctx: &Ctx, i: &CallInput) -> Result<Meeting, WebError> {
    let village = own_ref(state, ctx, "village", Named::Region(&i.village)).await?;
    ctx.require_role(KEEPERS, &village)?;
    let kind = MeetingKind::parse(&i.kind)?;
    let basis = match i.basis.trim() {
        "" => RosterBasis::Households,
        b => RosterBasis::parse(b)?,
    };
    let n = NewMeeting {
        village,
        kind,
        basis,
        title: i.title.trim().to_string(),
        planned_on: i.planned_on.trim().to_string(),
        named_votes: i.named_votes,
        members: i.roster.clone(),
    };
    Ok(state
        .store
        .call_meeting(&n, actor(ctx), state.now())
        .await?)
}

/// One roster line ticked present (or not).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AttendanceLine {
    pub roster_id: i64,
    pub present: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct AttendanceInput {
    pub lines: Vec<AttendanceLine>,
}

pub async fn attend(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &AttendanceInput,
) -> Result<Meeting, WebError> {
    kept(state, ctx, id).await?;
    if i.lines.is_empty() {
        return Err(WebError::invalid("lines", "empty", ""));
    }
    let lines: Vec<(i64, bool)> = i.lines.iter().map(|l| (l.roster_id, l.present)).collect();
    Ok(state
        .store
        .mark_attendance_lines(id, &lines, actor(ctx), state.now())
        .await?)
}

/// One attendee's ballot (named-vote mode).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BallotInput {
    pub roster_id: i64,
    /// for, against or abstain.
    pub ballot: String,
}

/// An agenda item; a decision item with its tally (or, in named-vote mode, its ballots).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ItemInput {
    pub title: String,
    /// A decision put to the vote (else an item for the record).
    #[serde(default)]
    pub decision: bool,
    /// Votes for, against and abstaining; a count left out is none (the rest of those present
    /// are blank ballots).
    #[serde(default)]
    pub votes_for: Option<String>,
    #[serde(default)]
    pub votes_against: Option<String>,
    #[serde(default)]
    pub votes_abstain: Option<String>,
    /// Named-vote mode: each attendee's ballot (those left out are blank).
    #[serde(default)]
    pub ballots: Vec<BallotInput>,
    /// The project whose declaration the decision approves.
    #[serde(default)]
    pub project_id: Option<i64>,
}

fn count(field: &'static str, v: &Option<String>) -> Result<u32, WebError> {
    match opt(v) {
        None => Ok(0),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 1_000_000)
            .ok_or_else(|| WebError::invalid(field, "not_a_count", s)),
    }
}

impl ItemInput {
    pub fn parse(&self, named: bool) -> Result<NewItem, WebError> {
        let ballots = self
            .ballots
            .iter()
            .map(|b| Ok((b.roster_id, Ballot::parse(&b.ballot)?)))
            .collect::<Result<Vec<_>, WebError>>()?;
        let tally = if self.decision && (!named || ballots.is_empty()) {
            Some(Tally {
                for_: count("votes_for", &self.votes_for)?,
                against: count("votes_against", &self.votes_against)?,
                abstain: count("votes_abstain", &self.votes_abstain)?,
            })
        } else {
            None
        };
        Ok(NewItem {
            title: self.title.trim().to_string(),
            tally,
            project_id: self.project_id,
            ballots,
        })
    }
}

pub async fn item(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ItemInput,
) -> Result<MeetingItem, WebError> {
    let r = kept(state, ctx, id).await?;
    if let Some(pid) = i.project_id {
        own_ref(state, ctx, "project_id", Named::Project(pid)).await?;
    }
    let n = i.parse(r.meeting.named_votes)?;
    Ok(state
        .store
        .record_item(id, &n, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct MinutesInput {
    pub minutes: String,
}

pub async fn minutes(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &MinutesInput,
) -> Result<Meeting, WebError> {
    kept(state, ctx, id).await?;
    Ok(state
        .store
        .record_minutes(id, &i.minutes, actor(ctx), state.now())
        .await?)
}

/// An attendee's confirmation of the minutes as they stand.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ConfirmInput {
    pub roster_id: i64,
}

pub async fn confirm(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ConfirmInput,
) -> Result<Meeting, WebError> {
    kept(state, ctx, id).await?;
    Ok(state
        .store
        .confirm_minutes(id, i.roster_id, state.now())
        .await?)
}

/// Filters of the meetings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// A region code (or, on the page, a name): the meetings of its villages.
    pub region: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl MeetingQuery {
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingList {
    pub meetings: Vec<Meeting>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(state: &AppState, ctx: &Ctx, q: &MeetingQuery) -> Result<MeetingList, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    let page = q.page();
    let (meetings, total) = state
        .store
        .meetings(&scopes, PAGE, (page - 1) * PAGE)
        .await?;
    Ok(MeetingList {
        meetings,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

pub async fn all(state: &AppState, ctx: &Ctx, q: &MeetingQuery) -> Result<Vec<Meeting>, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    ops::all_pages(|offset| state.store.meetings(&scopes, 1000, offset)).await
}
