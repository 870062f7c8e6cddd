//! Public notices: drafting, publishing, closing, objections, postings, and the notices due.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt, own_ref};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use sunledger_core::Permission;
use sunledger_core::access::{NOTICE_WRITERS, POSTING_CONFIRMERS};
use sunledger_core::notice::{self as rules, NoticeAction};
use sunledger_store::{
    DueEvent, NewNotice, NewObjection, NewPosting, Notice, NoticeFilter, NoticeRecord, Posting,
    PublicObjection,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoticeInput {
    /// The region the notice is for (a county, township or village).
    pub region: String,
    /// policy, fund_allocation, project_plan, project_implementation, acceptance, appraisal.
    pub kind: String,
    /// Field key → value: title, channels, document_no, body, and the kind's own fields (money
    /// in yuan, days as YYYY-MM-DD).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The published notice this one corrects.
    #[serde(default)]
    pub corrects: Option<i64>,
    /// What it publishes when it answers a due: `transfer:ID` or `project:ID`.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct FieldsInput {
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoticeActionInput {
    /// publish or close.
    pub action: String,
}

/// A notice seen by someone who may see the internal data of its region.
pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<NoticeRecord, WebError> {
    ctx.require_user()?;
    let r = state.store.notice(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.notice.region)?;
    Ok(r)
}

pub async fn create(state: &AppState, ctx: &Ctx, i: &NoticeInput) -> Result<Notice, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(NOTICE_WRITERS, &region)?;
    rules::kind(&i.kind)?;
    if let Some(c) = i.corrects {
        let old = state
            .store
            .notice(c)
            .await?
            .ok_or_else(|| WebError::invalid("corrects", "unknown_reference", c.to_string()))?;
        if !ctx.actor.can(Permission::ViewInternal, &old.notice.region) {
            return Err(WebError::invalid(
                "corrects",
                "unknown_reference",
                c.to_string(),
            ));
        }
    }
    Ok(state
        .store
        .draft_notice(
            &NewNotice {
                region,
                kind: i.kind.trim().to_string(),
                fields: i.fields.clone(),
                corrects: i.corrects,
                source: opt(&i.source).map(str::to_string),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn edit(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    fields: &BTreeMap<String, String>,
) -> Result<Notice, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(NOTICE_WRITERS, &r.notice.region)?;
    Ok(state
        .store
        .edit_notice(id, fields, actor(ctx), state.now())
        .await?)
}

pub async fn step(state: &AppState, ctx: &Ctx, id: i64, action: &str) -> Result<Notice, WebError> {
    let r = visible(state, ctx, id).await?;
    let a = NoticeAction::parse(action)?;
    ctx.require_role(NOTICE_WRITERS, &r.notice.region)?;
    Ok(state
        .store
        .notice_action(id, a, actor(ctx), state.now())
        .await?)
}

/// Filters of the notice list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    pub region: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Words in the title or text.
    pub q: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl NoticeQuery {
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
    fn filter(&self, scopes: Vec<sunledger_core::RegionCode>) -> Result<NoticeFilter, WebError> {
        Ok(NoticeFilter {
            scopes,
            kind: opt(&self.kind)
                .map(|k| rules::kind(k).map(|k| k.key.to_string()))
                .transpose()?,
            state: opt(&self.state)
                .map(|s| rules::NoticeState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            public_only: false,
            everywhere: false,
            q: opt(&self.q).map(str::to_string),
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeList {
    pub notices: Vec<Notice>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(state: &AppState, ctx: &Ctx, q: &NoticeQuery) -> Result<NoticeList, WebError> {
    let f = q.filter(ops::scopes(ctx, opt(&q.region))?)?;
    let page = q.page();
    let (notices, total) = state.store.notices(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(NoticeList {
        notices,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

/// The public's list: published and closed notices of a region's subtree.
pub async fn public_list(
    state: &AppState,
    region: &sunledger_core::RegionCode,
    q: Option<&str>,
    limit: i64,
) -> Result<(Vec<Notice>, i64), WebError> {
    Ok(state
        .store
        .notices(
            &NoticeFilter {
                scopes: vec![*region],
                public_only: true,
                q: q.map(str::to_string),
                ..NoticeFilter::default()
            },
            limit,
            0,
        )
        .await?)
}

/// A due notice with its deadline by the working-day calendar.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Due {
    #[serde(flatten)]
    pub event: DueEvent,
    /// The last day to publish (`YYYY-MM-DD`).
    pub due_on: String,
    /// Not published and past its day.
    pub overdue: bool,
    /// Published on or before its day (`None` while not published).
    pub on_time: Option<bool>,
}

/// The notices due in the scopes, and how many were published on time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dues {
    pub dues: Vec<Due>,
    /// Dues whose day has come (published, or past their day).
    pub counted: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub today: String,
}

/// The notices due in `scopes`, each with its day by the calendar.
pub async fn dues_in(
    state: &AppState,
    scopes: &[sunledger_core::RegionCode],
) -> Result<Dues, WebError> {
    let today = sunledger_core::day::today(state.now());
    let cal = &state.config.calendar;
    let mut out = Vec::new();
    let (mut counted, mut on_time, mut overdue) = (0, 0, 0);
    for e in state.store.notice_dues(scopes).await? {
        let Some(due) = rules::kind(&e.kind).ok().and_then(|k| k.due) else {
            continue;
        };
        let Some(event) = sunledger_core::day::number(&e.event_on) else {
            continue;
        };
        let due_on = rules::due_on(cal, &due, event);
        let published = e
            .published_on
            .as_deref()
            .and_then(sunledger_core::day::number);
        let in_time = published.map(|p| p <= due_on);
        let late = published.is_none() && today > due_on;
        if published.is_some() || late {
            counted += 1;
        }
        if in_time == Some(true) {
            on_time += 1;
        }
        if late {
            overdue += 1;
        }
        out.push(Due {
            event: e,
            due_on: sunledger_core::day::format(due_on),
            overdue: late,
            on_time: in_time,
        });
    }
    // Overdue first, then the nearest day.
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.on_time.is_some().cmp(&b.on_time.is_some()))
            .then(a.due_on.cmp(&b.due_on))
    });
    Ok(Dues {
        dues: out,
        counted,
        on_time,
        overdue,
        today: sunledger_core::day::format(today),
    })
}

/// The figures of the notices due in `scopes` (as [`dues_in`] counts them, its `dues` left
/// empty) and the `limit` overdue ones due longest ago: what a dashboard shows, from the events
/// counted by day in the database and only the overdue ones read.
pub async fn dues_figures(
    state: &AppState,
    scopes: &[sunledger_core::RegionCode],
    limit: usize,
) -> Result<(Dues, Vec<Due>), WebError> {
    let today = sunledger_core::day::today(state.now());
    let cal = &state.config.calendar;
    let (mut counted, mut on_time, mut overdue) = (0, 0, 0);
    // Per kind, the latest event day with an overdue notice.
    let mut latest: std::collections::BTreeMap<String, String> = Default::default();
    for t in state.store.notice_due_tally(scopes).await? {
        let Some(due) = rules::kind(&t.kind).ok().and_then(|k| k.due) else {
            continue;
        };
        let Some(event) = sunledger_core::day::number(&t.event_on) else {
            continue;
        };
        let due_on = rules::due_on(cal, &due, event);
        match t
            .published_on
            .as_deref()
            .and_then(sunledger_core::day::number)
        {
            Some(p) => {
                counted += t.count;
                if p <= due_on {
                    on_time += t.count;
                }
            }
            None if today > due_on => {
                counted += t.count;
                overdue += t.count;
                let l = latest.entry(t.kind.clone()).or_default();
                if t.event_on > *l {
                    *l = t.event_on.clone();
                }
            }
            None => {}
        }
    }
    let mut list = Vec::new();
    for (kind, until) in &latest {
        let Some(due) = rules::kind(kind).ok().and_then(|k| k.due) else {
            continue;
        };
        for e in state
            .store
            .notice_dues_open(scopes, kind, until, limit as i64)
            .await?
        {
            let Some(event) = sunledger_core::day::number(&e.event_on) else {
                continue;
            };
            list.push(Due {
                due_on: sunledger_core::day::format(rules::due_on(cal, &due, event)),
                event: e,
                overdue: true,
                on_time: None,
            });
        }
    }
    // As `dues_in` orders them: by due day, then event day and source.
    list.sort_by(|a, b| {
        (&a.due_on, &a.event.event_on, &a.event.source).cmp(&(
            &b.due_on,
            &b.event.event_on,
            &b.event.source,
        ))
    });
    list.truncate(limit);
    Ok((
        Dues {
            dues: Vec::new(),
            counted,
            on_time,
            overdue,
            today: sunledger_core::day::format(today),
        },
        list,
    ))
}

pub async fn dues(state: &AppState, ctx: &Ctx, region: Option<&str>) -> Result<Dues, WebError> {
    let scopes = ops::scopes(ctx, region)?;
    dues_in(state, &scopes).await
}

// --- Objections ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ObjectionInput {
    pub content: String,
    /// Optional; never published.
    #[serde(default)]
    pub name: Option<String>,
    /// Optional; never published.
    #[serde(default)]
    pub phone: Option<String>,
}

/// What the public sees of an objection: never who raised it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicAnswer {
    pub receipt: String,
    pub subject_table: String,
    pub subject_id: i64,
    pub subject_title: String,
    pub content: String,
    pub received_on: String,
    pub answer: Option<String>,
    /// The day it was answered (`YYYY-MM-DD`, Beijing).
    pub answered_on: Option<String>,
}

impl From<&PublicObjection> for PublicAnswer {
    fn from(o: &PublicObjection) -> PublicAnswer {
        PublicAnswer {
            receipt: o.receipt.clone(),
            subject_table: o.subject_table.clone(),
            subject_id: o.subject_id,
            subject_title: o.subject_title.clone(),
            content: o.content.clone(),
            received_on: o.received_on.clone(),
            answer: o.answer.clone(),
            answered_on: o
                .answered_at
                .map(|t| sunledger_core::day::format(sunledger_core::day::today(t))),
        }
    }
}

/// Anyone objects to a notice (`notices`) or a project under notice (`projects`); the answer is
/// the receipt code.
pub async fn object(
    state: &AppState,
    subject_table: &str,
    subject_id: i64,
    i: &ObjectionInput,
) -> Result<PublicAnswer, WebError> {
    // The subject must be public: a draft notice is as unknown as a missing one.
    if subject_table == "notices" {
        let n = state
            .store
            .notice(subject_id)
            .await?
            .ok_or(WebError::NotFound)?;
        if !n.notice.is_public() {
            return Err(WebError::NotFound);
        }
    }
    let receipt = rules::receipt::from_random(rand::random::<u64>());
    let o = state
        .store
        .object(
            &NewObjection {
                subject_table: subject_table.to_string(),
                subject_id,
                content: i.content.clone(),
                name: i.name.clone(),
                phone: i.phone.clone(),
                receipt,
            },
            state.now(),
        )
        .await?;
    Ok(PublicAnswer::from(&o))
}

/// The objection with receipt code `code`, as the public sees it.
pub async fn by_receipt(state: &AppState, code: &str) -> Result<PublicAnswer, WebError> {
    let c = rules::receipt::normalise(code).ok_or(WebError::NotFound)?;
    let o = state
        .store
        .objection_by_receipt(&c)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(PublicAnswer::from(&o))
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
}

pub async fn answer(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    text: &str,
) -> Result<PublicObjection, WebError> {
    ctx.require_user()?;
    let o = state
        .store
        .public_objection(id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &o.region)?;
    ctx.require_role(NOTICE_WRITERS, &o.region)?;
    Ok(state
        .store
        .answer_public_objection(id, text, actor(ctx), state.now())
        .await?)
}

pub async fn awaiting(
    state: &AppState,
    ctx: &Ctx,
    region: Option<&str>,
) -> Result<Vec<PublicObjection>, WebError> {
    let scopes = ops::scopes(ctx, region)?;
    Ok(state.store.objections_awaiting(&scopes).await?)
}

// --- Postings -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PostingInput {
    /// Where it was put up: the village notice board, the project site...
    pub place: String,
    /// YYYY-MM-DD, not before publication nor after today.
    pub posted_on: String,
    /// Who put it up.
    pub posted_by: String,
    /// The photo (PNG or JPEG, at most 5 MiB), base64.
    pub photo_base64: String,
}

pub async fn record_posting(
    state: &AppState,
    ctx: &Ctx,
    notice_id: i64,
    place: &str,
    posted_on: &str,
    posted_by: &str,
    photo: Vec<u8>,
) -> Result<Posting, WebError> {
    let r = visible(state, ctx, notice_id).await?;
    ctx.require_role(NOTICE_WRITERS, &r.notice.region)?;
    Ok(state
        .store
        .record_posting(
            &NewPosting {
                notice_id,
                place: place.to_string(),
                posted_on: posted_on.to_string(),
                posted_by: posted_by.to_string(),
                photo,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn confirm_posting(
    state: &AppState,
    ctx: &Ctx,
    notice_id: i64,
    posting_id: i64,
) -> Result<Posting, WebError> {
    let r = visible(state, ctx, notice_id).await?;
    if !r.postings.iter().any(|p| p.id == posting_id) {
        return Err(WebError::NotFound);
    }
    ctx.require_role(POSTING_CONFIRMERS, &r.notice.region)?;
    Ok(state
        .store
        .confirm_posting(posting_id, actor(ctx), state.now())
        .await?)
}

/// A posting's photo, for anyone when its notice is public.
pub async fn photo(
    state: &AppState,
    ctx: &Ctx,
    notice_id: i64,
    posting_id: i64,
) -> Result<(String, Vec<u8>), WebError> {
    let r = state
        .store
        .notice(notice_id)
        .await?
        .ok_or(WebError::NotFound)?;
    if !r.notice.is_public() && !ctx.actor.can(Permission::ViewInternal, &r.notice.region) {
        return Err(WebError::NotFound);
    }
    if !r.postings.iter().any(|p| p.id == posting_id) {
        return Err(WebError::NotFound);
    }
    state
        .store
        .posting_photo(posting_id)
        .await?
        .ok_or(WebError::NotFound)
}

/// The public's view of a notice: published or closed only, objectors' identities removed.
pub async fn public_record(state: &AppState, id: i64) -> Result<NoticeRecord, WebError> {
    let mut r = state.store.notice(id).await?.ok_or(WebError::NotFound)?;
    if !r.notice.is_public() {
        return Err(WebError::NotFound);
    }
    for o in &mut r.objections {
        o.name = None;
        o.phone = None;
    }
    // Who confirmed is recorded inside; the public sees that the committee did.
    for p in &mut r.postings {
        p.confirmed_by_name = None;
        p.recorded_by = None;
        p.confirmed_by = None;
    }
    r.notice.drafted_by = None;
    for e in &mut r.events {
        e.actor_id = None;
    }
    Ok(r)
}

/// Whether row `id` of `table` is a public record: its proof is open to anyone.
pub async fn is_public_record(state: &AppState, table: &str, id: i64) -> Result<bool, WebError> {
    let notice_of = match table {
        "notices" => Some(id),
        "notice_events" | "notice_postings" => {
            let leaves = state.store.log_leaves_of(table, id).await?;
            leaves.first().and_then(|l| {
                serde_json::from_slice::<serde_json::Value>(&l.data)
                    .ok()
                    .and_then(|v| v.pointer("/fields/notice_id").and_then(|n| n.as_i64()))
            })
        }
        "public_objections" => {
            let o = state.store.public_objection(id).await?;
            match o {
                Some(o) if o.subject_table == "notices" => Some(o.subject_id),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(match notice_of {
        Some(n) => state
            .store
            .notice(n)
            .await?
            .is_some_and(|r| r.notice.is_public()),
        None => false,
    })
}
