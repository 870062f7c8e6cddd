//! Complaints' operations: the public's (filing, looking up with the receipt code and PIN, the
//! complainant's own steps), each limited per address and per code; the handling unit's (intake
//! of calls, letters and visits, the queue by deadline, steps, publication). A complaint is seen
//! only by accounts holding a handling role on its handler's region: never by the unit it
//! accuses, which sits below.
use crate::AppState;
use crate::access::auth::{hash_password, verify_password};
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{Named, actor, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::complaint::{
    self as rules, Channel, ComplaintAction, ComplaintCategory, ComplaintState, Finding, Timing,
};
use sunledger_core::{Level, RegionCode, Role};
use sunledger_store::{
    Complaint, ComplaintFilter, ComplaintRecord, ComplaintStepInput, NewComplaint, NewFile,
    NewPublication,
};

/// Who handles complaints (accepts, investigates, answers) on their regions: the township
/// government, the county's leadership, poverty bureau and discipline commission, the city's
/// bureau. Village cadres never do: the handler is at least a township.
pub const HANDLERS: &[Role] = &[
    Role::MunicipalBureau,
    Role::PartyGovernment,
    Role::Discipline,
    Role::PovertyBureau,
    Role::TownshipOfficial,
];

/// The regions the caller handles complaints on (nested ones dropped).
pub fn handler_scopes(ctx: &Ctx) -> Vec<RegionCode> {
    let mut v: Vec<RegionCode> = ctx
        .actor
        .grants
        .iter()
        .filter(|g| HANDLERS.contains(&g.role))
        .map(|g| g.region)
        .collect();
    v.sort();
    v.dedup();
    let all = v.clone();
    v.retain(|c| !all.iter().any(|o| o != c && c.is_within(o)));
    v
}

/// A complaint the caller handles, else `NotFound` (its existence does not show).
pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<ComplaintRecord, WebError> {
    ctx.require_user()?;
    let r = state.store.complaint(id).await?.ok_or(WebError::NotFound)?;
    if !ctx.actor.has_role(HANDLERS, &r.complaint.handler_region) {
        return Err(WebError::NotFound);
    }
    Ok(r)
}

/// What the complainant gives, on the public form or to an official.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct FileInput {
    /// A key of the categories (detention, interception, …, other).
    pub category: String,
    /// The 12-digit code of the village (or township, county) complained about.
    pub region: String,
    /// A project of that region, if one is named.
    pub project_id: Option<i64>,
    /// A fund named, as typed.
    pub fund_text: String,
    /// The official or unit named, as typed.
    pub accused_text: String,
    /// The level of the region the accused serves: village, township or county (empty: none).
    pub accused_level: String,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
    pub name: String,
    /// A telephone number or an address (not with `anonymous`).
    pub contact: String,
    /// Agrees to the answer being published without the name.
    pub consent: bool,
}

/// An official's intake of a call, letter or visit.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct IntakeInput {
    #[serde(flatten)]
    pub complaint: FileInput,
    /// hotline, phone, letter or visit.
    pub channel: String,
    /// `YYYY-MM-DD`, the day it arrived (today when empty).
    pub received_on: String,
}

/// What the complainant keeps: the receipt code and the PIN (shown once), and where it went.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    pub code: String,
    pub pin: String,
    /// The handling unit's region, by name.
    pub handler_name: String,
    pub handler_unit: String,
    /// The day it is to be accepted or referred by.
    pub accept_by: String,
}

fn level(s: &str) -> Result<Option<Level>, WebError> {
    Ok(match s.trim() {
        "" => None,
        "village" => Some(Level::Village),
        "township" => Some(Level::Township),
        "county" => Some(Level::County),
        other => return Err(WebError::invalid("accused_level", "unknown_level", other)),
    })
}

fn new_code(year: i32) -> (String, String) {
    (
        rules::receipt_code(year, rand::random::<[u8; 5]>()),
        rules::pin(rand::random::<[u8; 4]>()),
    )
}

async fn file_with(
    state: &AppState,
    i: &FileInput,
    channel: Channel,
    received_on: String,
    intake_by: Option<i64>,
    files: Vec<NewFile>,
) -> Result<Filed, WebError> {
    let category = ComplaintCategory::parse(&i.category)?;
    let region = RegionCode::parse(i.region.trim())
        .map_err(|_| WebError::invalid("region", "region_not_held", i.region.trim()))?;
    let now = state.now();
    let year = sunledger_core::day::today_text(now)
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(2026);
    let (code, pin) = new_code(year);
    let pin_hash = {
        let pin = pin.clone();
        tokio::task::spawn_blocking(move || hash_password(&pin))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??
    };
    let n = NewComplaint {
        code,
        pin_hash,
        channel,
        category,
        region,
        project_id: i.project_id,
        fund_text: i.fund_text.clone(),
        accused_text: i.accused_text.clone(),
        accused_level: level(&i.accused_level)?,
        title: i.title.clone(),
        body: i.body.clone(),
        anonymous: i.anonymous,
        name: i.name.clone(),
        contact: i.contact.clone(),
        consent: i.consent,
        received_on,
        intake_by,
        files,
        rules: state.config.complaint.clone(),
    };
    let c = state.store.file_complaint(&n, now).await?;
    let received = sunledger_core::day::parse("received_on", &c.received_on)?;
    let due = state
        .config
        .calendar
        .add_working_days(received, state.config.complaint.accept_days);
    Ok(Filed {
        code: c.code,
        pin,
        handler_name: c.handler_name,
        handler_unit: c.handler_unit,
        accept_by: sunledger_core::day::format(due),
    })
}

/// The rate limit of the public's submissions from `ip` (none known: one shared key).
pub fn limit_submission(state: &AppState, ip: Option<&str>) -> Result<(), WebError> {
    let r = &state.config.complaint;
    state
        .limiter
        .hit(
            &format!("complaint.submit.{}", ip.unwrap_or("-")),
            r.submissions_per_address,
            r.limit_window_secs,
            state.now(),
        )
        .map_err(|retry_after| WebError::TooManyAttempts { retry_after })
}

/// Files a complaint from the public form (no account).
pub async fn file_public(
    state: &AppState,
    ctx: &Ctx,
    i: &FileInput,
    files: Vec<NewFile>,
) -> Result<Filed, WebError> {
    limit_submission(state, ctx.ip.as_deref())?;
    let today = sunledger_core::day::today_text(state.now());
    file_with(state, i, Channel::Web, today, None, files).await
}

/// Takes down a call, letter or visit (an account with a handling role on the region's county
/// or above, or the township).
pub async fn intake(state: &AppState, ctx: &Ctx, i: &IntakeInput) -> Result<Filed, WebError> {
    ctx.require_user()?;
    if !crate::app::forms::holds_any(ctx, HANDLERS) {
        return Err(WebError::Forbidden);
    }
    let channel = Channel::parse(&i.channel)?;
    if channel == Channel::Web {
        return Err(WebError::invalid(
            "channel",
            "web_is_the_public_form",
            "web",
        ));
    }
    // The region must be one the official works in (a complaint about elsewhere is taken by
    // that region's officials).
    own_ref(
        state,
        ctx,
        "region",
        Named::Region(i.complaint.region.trim()),
    )
    .await?;
    let received_on = match i.received_on.trim() {
        "" => sunledger_core::day::today_text(state.now()),
        d => d.to_string(),
    };
    file_with(
        state,
        &i.complaint,
        channel,
        received_on,
        actor(ctx),
        Vec::new(),
    )
    .await
}

/// A receipt code and PIN as typed.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct CodePin {
    pub code: String,
    pub pin: String,
}

/// What the complainant reads with the code and PIN: where it is, the clock, and the answers
/// (not the handler's internal notes, not who handled it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    pub code: String,
    pub category: String,
    pub region_name: String,
    pub title: String,
    pub received_on: String,
    pub state: String,
    pub handler_name: String,
    pub handler_unit: String,
    /// The day the current stage is due (the unit's, or the complainant's window).
    pub due_on: Option<String>,
    pub stage: Option<String>,
    pub finding: Option<String>,
    /// The answers given (answer, review, re-review), oldest first: (action, day, text).
    pub answers: Vec<PublicAnswer>,
    /// The steps the complainant may take now.
    pub may: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicAnswer {
    pub action: String,
    pub on_date: String,
    pub finding: Option<String>,
    pub text: String,
}

/// Checks a code and PIN, limited per address and per code; a wrong PIN and an unknown code get
/// the same answer, and take as long.
async fn by_code_pin(
    state: &AppState,
    ctx: &Ctx,
    cp: &CodePin,
) -> Result<ComplaintRecord, WebError> {
    let r = &state.config.complaint;
    let now = state.now();
    let code = rules::normalise_code(&cp.code).unwrap_or_else(|| cp.code.trim().to_uppercase());
    let ip_key = format!("complaint.lookup.ip.{}", ctx.ip.as_deref().unwrap_or("-"));
    let code_key = format!("complaint.lookup.code.{code}");
    for (key, max) in [
        (&ip_key, r.lookups_per_address),
        (&code_key, r.lookups_per_code),
    ] {
        if let Some(retry_after) = state.limiter.full(key, max, r.limit_window_secs, now) {
            return Err(WebError::TooManyAttempts { retry_after });
        }
    }
    let found = state.store.complaint_pin(&code).await?;
    let (id, hash) = match found {
        Some((id, h)) => (Some(id), h),
        None => (None, crate::access::auth::dummy_hash()),
    };
    let pin = cp.pin.trim().to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pin, &hash))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    match (id, ok) {
        (Some(id), true) => state.store.complaint(id).await?.ok_or(WebError::NotFound),
        _ => {
            // Failures count against the address and the code typed.
            let _ = state
                .limiter
                .hit(&ip_key, r.lookups_per_address, r.limit_window_secs, now);
            let _ = state
                .limiter
                .hit(&code_key, r.lookups_per_code, r.limit_window_secs, now);
            Err(WebError::NotFound)
        }
    }
}

fn public_status(state: &AppState, r: &ComplaintRecord) -> PublicStatus {
    let c = &r.complaint;
    let today = sunledger_core::day::today(state.now());
    let clock = clock_of(state, c, today);
    let st = ComplaintState::parse(&c.state).ok();
    let mut may = Vec::new();
    if let (Some(st), Some(k)) = (st, clock.map(|x| x.0)) {
        for a in [
            ComplaintAction::Close,
            ComplaintAction::RequestReview,
            ComplaintAction::RequestRereview,
            ComplaintAction::Resume,
        ] {
            let in_window = k.stage != rules::Stage::Request || today <= k.due;
            if st.next(a).is_ok() && (a == ComplaintAction::Close || in_window) {
                may.push(a.key().to_string());
            }
        }
    }
    PublicStatus {
        code: c.code.clone(),
        category: c.category.clone(),
        region_name: c.region_name.clone(),
        title: c.title.clone(),
        received_on: c.received_on.clone(),
        state: c.state.clone(),
        handler_name: c.handler_name.clone(),
        handler_unit: c.handler_unit.clone(),
        due_on: clock.map(|k| sunledger_core::day::format(k.0.due)),
        stage: clock.map(|k| k.0.stage.key().to_string()),
        finding: c.finding.clone(),
        answers: r
            .events
            .iter()
            .filter(|e| e.finding.is_some() || e.action == "refer" || e.action == "merge")
            .map(|e| PublicAnswer {
                action: e.action.clone(),
                on_date: e.on_date.clone(),
                finding: e.finding.clone(),
                text: e.text.clone(),
            })
            .collect(),
        may,
    }
}

/// The complainant looks their complaint up.
pub async fn lookup(state: &AppState, ctx: &Ctx, cp: &CodePin) -> Result<PublicStatus, WebError> {
    let r = by_code_pin(state, ctx, cp).await?;
    Ok(public_status(state, &r))
}

/// The full record for the complainant's printable letters (their own complaint).
pub async fn own_record(
    state: &AppState,
    ctx: &Ctx,
    cp: &CodePin,
) -> Result<ComplaintRecord, WebError> {
    by_code_pin(state, ctx, cp).await
}

/// A step the complainant takes with the code and PIN: accept the answer (close), ask for a
/// review or re-review (with reasons), or give what the unit waited for (resume).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct ComplainantStep {
    pub code: String,
    pub pin: String,
    /// close, request_review, request_rereview or resume.
    pub action: String,
    pub text: String,
}

pub async fn complainant_step(
    state: &AppState,
    ctx: &Ctx,
    s: &ComplainantStep,
) -> Result<PublicStatus, WebError> {
    let r = by_code_pin(
        state,
        ctx,
        &CodePin {
            code: s.code.clone(),
            pin: s.pin.clone(),
        },
    )
    .await?;
    let action = ComplaintAction::parse(&s.action)?;
    let input = ComplaintStepInput {
        action,
        text: s.text.clone(),
        finding: None,
        transfer_to: None,
        merge_into: None,
        department_id: None,
        by_complainant: true,
    };
    let cal = state.config.calendar.clone();
    let out = state
        .store
        .complaint_step(
            r.complaint.id,
            &input,
            (&state.config.complaint, &cal),
            None,
            state.now(),
        )
        .await?;
    Ok(public_status(state, &out))
}

/// A complaint's steps replayed once on `today`: its clock with the timing (none once closed),
/// and whether the first answer came by its deadline.
type Replay = (Option<(rules::Clock, Timing)>, Option<bool>);

fn replay(state: &AppState, c: &Complaint, today: i64) -> Option<Replay> {
    let received = sunledger_core::day::number(&c.received_on)?;
    let p = rules::progress(
        &state.config.complaint,
        &state.config.calendar,
        received,
        &c.clock_steps(),
        today,
    )
    .ok()?;
    let clock = p.clock.map(|k| {
        (
            k,
            k.timing(&state.config.complaint, &state.config.calendar, today),
        )
    });
    Some((clock, p.answered_on_time))
}

/// The clock of a complaint on `today`, with its timing (none once closed).
pub fn clock_of(state: &AppState, c: &Complaint, today: i64) -> Option<(rules::Clock, Timing)> {
    replay(state, c, today)?.0
}

/// The queue's filters.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// A state key (received, accepted, …); empty: all.
    pub state: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// on_time, at_risk, overdue or paused (the unit's clock).
    pub timing: Option<String>,
    /// Complaints about this region's subtree (a code or a name).
    pub region: Option<String>,
    /// Only those still open.
    pub open: Option<bool>,
}

/// A row of the queue: the complaint with its clock.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueRow {
    pub complaint: Complaint,
    pub stage: Option<String>,
    pub due_on: Option<String>,
    /// Working days left (0 when due or past).
    pub days_left: Option<i64>,
    pub timing: Option<String>,
    pub answered_on_time: Option<bool>,
}

/// The complaints the caller handles, the unit's open clocks first by deadline.
pub async fn queue(
    state: &AppState,
    ctx: &Ctx,
    q: &ComplaintQuery,
) -> Result<Vec<QueueRow>, WebError> {
    ctx.require_user()?;
    // Accounts without a handling role see none (their own areas hold no complaint of theirs).
    let scopes = handler_scopes(ctx);
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let region = match crate::app::ops::opt(&q.region) {
        Some(r) => Some(crate::app::ops::parse_region(r)?),
        None => None,
    };
    let f = ComplaintFilter {
        scopes,
        state: crate::app::ops::opt(&q.state).map(str::to_string),
        category: crate::app::ops::opt(&q.category).map(str::to_string),
        channel: crate::app::ops::opt(&q.channel).map(str::to_string),
        region,
    };
    let mut rows: Vec<QueueRow> = queue_rows(state, state.store.complaints(&f).await?)
        .into_iter()
        .filter(|r| {
            crate::app::ops::opt(&q.timing).is_none_or(|t| r.timing.as_deref() == Some(t))
                && (q.open != Some(true)
                    || ComplaintState::parse(&r.complaint.state).is_ok_and(|s| s.is_open()))
        })
        .collect();
    // The unit's running clocks first, soonest due; then the rest, newest first.
    rows.sort_by(|a, b| {
        let ka = (a.timing.is_none(), a.due_on.clone().unwrap_or_default());
        let kb = (b.timing.is_none(), b.due_on.clone().unwrap_or_default());
        ka.cmp(&kb)
            .then_with(|| b.complaint.received_on.cmp(&a.complaint.received_on))
    });
    Ok(rows)
}

/// Complaints with their clocks on today.
fn queue_rows(state: &AppState, list: Vec<Complaint>) -> Vec<QueueRow> {
    let today = sunledger_core::day::today(state.now());
    list.into_iter()
        .map(|c| {
            let (clock, answered_on_time) = replay(state, &c, today).unwrap_or((None, None));
            QueueRow {
                stage: clock.map(|k| k.0.stage.key().to_string()),
                due_on: clock.map(|k| sunledger_core::day::format(k.0.due)),
                days_left: clock.map(|k| k.0.left(&state.config.calendar, today)),
                timing: clock
                    .filter(|k| k.0.is_units())
                    .map(|k| k.1.key().to_string()),
                answered_on_time,
                complaint: c,
            }
        })
        .collect()
}

/// The public's statistics: every complaint of the city counted by county and category (counts
/// only; nothing of any complaint).
pub async fn public_stats(state: &AppState) -> Result<Vec<Stat>, WebError> {
    let roots: Vec<RegionCode> = state
        .store
        .region_names()
        .await?
        .into_keys()
        .filter(|c| c.level() <= Level::City)
        .collect();
    let f = ComplaintFilter {
        scopes: roots,
        ..ComplaintFilter::default()
    };
    let rows = queue_rows(state, state.store.complaints(&f).await?);
    stats(state, &rows).await
}

/// Counts per county and category: received, open, overdue, answered, answered on time,
/// substantiated.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Stat {
    pub county: String,
    pub county_name: String,
    pub category: String,
    pub received: i64,
    pub open: i64,
    pub overdue: i64,
    pub answered: i64,
    pub on_time: i64,
    pub substantiated: i64,
}

/// The statistics of `rows` by county and category.
pub async fn stats(state: &AppState, rows: &[QueueRow]) -> Result<Vec<Stat>, WebError> {
    let mut by: std::collections::BTreeMap<(String, String), Stat> = Default::default();
    let mut names = crate::app::forms::Names::new(state);
    for r in rows {
        let c = &r.complaint;
        let county = c.region.ancestor_at(Level::County).unwrap_or(c.region);
        let key = (county.as_str().to_string(), c.category.clone());
        if !by.contains_key(&key) {
            let name = names.name(&county).await?;
            by.insert(
                key.clone(),
                Stat {
                    county: county.as_str().to_string(),
                    county_name: name,
                    category: c.category.clone(),
                    ..Stat::default()
                },
            );
        }
        if let Some(s) = by.get_mut(&key) {
            s.received += 1;
            if ComplaintState::parse(&c.state).is_ok_and(|s| s.is_open()) {
                s.open += 1;
            }
            if r.timing.as_deref() == Some("overdue") {
                s.overdue += 1;
            }
            if r.answered_on_time.is_some() {
                s.answered += 1;
            }
            if r.answered_on_time == Some(true) {
                s.on_time += 1;
            }
            if c.finding
                .as_deref()
                .is_some_and(|f| f != "not_substantiated")
            {
                s.substantiated += 1;
            }
        }
    }
    Ok(by.into_values().collect())
}

/// A handling step.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct StepInput {
    /// accept, refer, transfer, investigate, pause, resume, extend, answer, close,
    /// request_review, answer_review, request_rereview, answer_rereview, merge, escalate.
    pub action: String,
    /// The reason, or the answer.
    pub text: String,
    /// An answer's finding: substantiated, partly, not_substantiated.
    pub finding: Option<String>,
    /// A transfer's new handling region (12-digit code).
    pub transfer_to: Option<String>,
    /// The complaint a duplicate repeats.
    pub merge_into: Option<i64>,
    /// The unit the Book 3 problem an answer opens is against (else the accused's or the
    /// region's own).
    pub department_id: Option<i64>,
}

/// Takes a step as the handling unit (or, for an escalation, as a supervisor above it).
pub async fn step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &StepInput,
) -> Result<ComplaintRecord, WebError> {
    let action = ComplaintAction::parse(&i.action)?;
    let r = if action == ComplaintAction::Escalate {
        // Proposed by a supervisor above the handling unit.
        ctx.require_user()?;
        let c = state.store.complaint(id).await?.ok_or(WebError::NotFound)?;
        let above = c
            .complaint
            .handler_region
            .parent()
            .filter(|p| p.level() >= Level::City)
            .unwrap_or(c.complaint.handler_region);
        if !ctx.actor.has_role(HANDLERS, &c.complaint.handler_region) {
            return Err(WebError::NotFound);
        }
        if !ctx.actor.has_role(
            &[
                Role::Discipline,
                Role::MunicipalBureau,
                Role::PartyGovernment,
                Role::PovertyBureau,
            ],
            &above,
        ) {
            return Err(WebError::Forbidden);
        }
        c
    } else {
        visible(state, ctx, id).await?
    };
    let transfer_to = match crate::app::ops::opt(&i.transfer_to) {
        Some(t) => Some(crate::app::ops::parse_region(t)?),
        None => None,
    };
    if let Some(m) = i.merge_into {
        // The original must be one the caller handles too.
        visible(state, ctx, m)
            .await
            .map_err(|_| WebError::invalid("merge_into", "unknown_reference", m.to_string()))?;
    }
    if let Some(d) = i.department_id {
        own_ref(state, ctx, "department_id", Named::Department(d)).await?;
    }
    let finding = match crate::app::ops::opt(&i.finding) {
        Some(f) => Some(Finding::parse(f)?),
        None => None,
    };
    let input = ComplaintStepInput {
        action,
        text: i.text.clone(),
        finding,
        transfer_to,
        merge_into: i.merge_into,
        department_id: i.department_id,
        by_complainant: false,
    };
    let cal = state.config.calendar.clone();
    Ok(state
        .store
        .complaint_step(
            r.complaint.id,
            &input,
            (&state.config.complaint, &cal),
            actor(ctx),
            state.now(),
        )
        .await?)
}

/// Publishing an answered complaint without the complainant.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct PublishInput {
    /// consent (the complainant agreed) or unit_decision (with a reason).
    pub basis: String,
    pub reason: String,
    /// What was found (no names of the complainant).
    pub found: String,
    /// What was done.
    pub done: String,
}

pub async fn publish(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &PublishInput,
) -> Result<ComplaintRecord, WebError> {
    let r = visible(state, ctx, id).await?;
    let p = NewPublication {
        basis: i.basis.trim().to_string(),
        reason: i.reason.clone(),
        found: i.found.clone(),
        done: i.done.clone(),
    };
    Ok(state
        .store
        .publish_complaint(r.complaint.id, &p, actor(ctx), state.now())
        .await?)
}
