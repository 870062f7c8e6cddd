//! The supervision committee's operations: permission on the village, inputs parsed, one store
//! call each.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt};
use serde::{Deserialize, Serialize};
use sunledger_core::{Level, Permission, RegionCode, Role};
use sunledger_store::{CommitteeSignature, CommitteeTerm, NewMember, NewTerm};

/// Who records elections, by-elections and members leaving: the village committee's cadres and
/// the township (the township guides the election, 指导意见 2017).
pub const RECORDERS: &[Role] = &[Role::VillageCadre, Role::TownshipOfficial];
/// Who records a member's signature on a notice's posting: the members themselves (their
/// accounts) and the village's cadres who file the evidence.
pub const SIGNERS: &[Role] = &[Role::VillageSupervisor, Role::VillageCadre];

pub const PAGE: i64 = 50;

/// A village the reader may see internally.
pub async fn village(state: &AppState, ctx: &Ctx, code: &str) -> Result<RegionCode, WebError> {
    ctx.require_user()?;
    let r = ops::existing_region(state, code).await?;
    if r.code.level() != Level::Village {
        return Err(WebError::NotFound);
    }
    ctx.require_or_hide(Permission::ViewInternal, &r.code)?;
    Ok(r.code)
}

pub async fn terms(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
) -> Result<Vec<CommitteeTerm>, WebError> {
    let v = village(state, ctx, code).await?;
    let today = sunledger_core::day::today(state.now());
    Ok(state.store.committee_terms(&v, today).await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams, Default)]
pub struct CommitteeQuery {
    pub region: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitteeList {
    /// The latest term of each village.
    pub committees: Vec<CommitteeTerm>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(
    state: &AppState,
    ctx: &Ctx,
    q: &CommitteeQuery,
) -> Result<CommitteeList, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    let page = opt(&q.page)
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let today = sunledger_core::day::today(state.now());
    let (committees, total) = state
        .store
        .committees(&scopes, today, PAGE, (page - 1) * PAGE)
        .await?;
    Ok(CommitteeList {
        committees,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

/// A member as typed.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct MemberInput {
    pub name: String,
    /// A resident ID number, or empty (it decides a match with the cadre-relatives list).
    #[serde(default)]
    pub id_number: String,
    /// The member's record among the village's people, if any (to sit on an acceptance team).
    #[serde(default)]
    pub person_id: Option<i64>,
    #[serde(default)]
    pub chair: bool,
    /// Has accounting skills; `skills` then says what they rest on.
    #[serde(default)]
    pub accounting: bool,
    #[serde(default)]
    pub skills: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ElectInput {
    /// The villagers' or representatives' meeting of the village that elected the committee.
    pub meeting_id: i64,
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct AddInput {
    /// The meeting of the village that elected the member.
    pub meeting_id: i64,
    pub member: MemberInput,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct EndInput {
    /// `YYYY-MM-DD`, not after today.
    pub ended_on: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct SignInput {
    /// A posting of a notice of the village.
    pub posting_id: i64,
}

async fn member(
    state: &AppState,
    ctx: &Ctx,
    village: &RegionCode,
    m: &MemberInput,
) -> Result<NewMember, WebError> {
    if let Some(p) = m.person_id {
        let r = ops::own_ref(state, ctx, "person_id", Named::Person(p)).await?;
        if r != *village {
            return Err(WebError::invalid(
                "person_id",
                "unknown_reference",
                p.to_string(),
            ));
        }
    }
    Ok(NewMember {
        name: m.name.clone(),
        id_number: m.id_number.clone(),
        person_id: m.person_id,
        chair: m.chair,
        accounting: m.accounting,
        skills: m.skills.clone(),
    })
}

pub async fn elect(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    i: &ElectInput,
) -> Result<CommitteeTerm, WebError> {
    let v = village(state, ctx, code).await?;
    ctx.require_role(RECORDERS, &v)?;
    let mut members = Vec::new();
    for m in &i.members {
        members.push(member(state, ctx, &v, m).await?);
    }
    let n = NewTerm {
        village: v,
        meeting_id: i.meeting_id,
        members,
    };
    Ok(state
        .store
        .elect_committee(&n, actor(ctx), state.now())
        .await?)
}

/// A term the reader may see.
pub async fn term(state: &AppState, ctx: &Ctx, id: i64) -> Result<CommitteeTerm, WebError> {
    ctx.require_user()?;
    let today = sunledger_core::day::today(state.now());
    let t = state
        .store
        .committee_term(id, today)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &t.region)?;
    Ok(t)
}

pub async fn add(
    state: &AppState,
    ctx: &Ctx,
    term_id: i64,
    i: &AddInput,
) -> Result<CommitteeTerm, WebError> {
    let t = term(state, ctx, term_id).await?;
    ctx.require_role(RECORDERS, &t.region)?;
    let m = member(state, ctx, &t.region, &i.member).await?;
    Ok(state
        .store
        .add_committee_member(term_id, i.meeting_id, &m, actor(ctx), state.now())
        .await?)
}

/// The term holding a member the reader may see.
async fn term_of_member(
    state: &AppState,
    ctx: &Ctx,
    member_id: i64,
) -> Result<CommitteeTerm, WebError> {
    ctx.require_user()?;
    let today = sunledger_core::day::today(state.now());
    let t = state
        .store
        .committee_member_term(member_id, today)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &t.region)?;
    Ok(t)
}

pub async fn end(
    state: &AppState,
    ctx: &Ctx,
    member_id: i64,
    i: &EndInput,
) -> Result<CommitteeTerm, WebError> {
    let t = term_of_member(state, ctx, member_id).await?;
    ctx.require_role(RECORDERS, &t.region)?;
    Ok(state
        .store
        .end_committee_member(member_id, &i.ended_on, &i.reason, actor(ctx), state.now())
        .await?)
}

pub async fn sign(
    state: &AppState,
    ctx: &Ctx,
    member_id: i64,
    i: &SignInput,
) -> Result<CommitteeSignature, WebError> {
    let t = term_of_member(state, ctx, member_id).await?;
    ctx.require_role(SIGNERS, &t.region)?;
    Ok(state
        .store
        .sign_posting(member_id, i.posting_id, actor(ctx), state.now())
        .await?)
}
