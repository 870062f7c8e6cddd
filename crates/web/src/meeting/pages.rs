//! Meetings' pages: the list, the form that calls a meeting, and the meeting's page the village
//! cadre keeps on a phone (the roster ticked in one form, the quorum in words, items and their
//! votes, the minutes with their hash and the attendees' confirmations). No script: every step
//! is a plain form.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id, region_choices, region_filter};
use crate::app::page::{Page, PageResult, Pager, fail};
use crate::i18n::{Lang, t};
use crate::meeting::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use std::collections::{HashMap, HashSet};
use sunledger_core::meeting::{Ballot, MeetingKind, RosterBasis};
use sunledger_core::{Level, RegionCode};
use sunledger_store::{Meeting, MeetingRecord, RosterLine};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(call))
        .route("/meetings/new", get(new_form))
        .route("/meetings/{id}", get(meeting_page))
        .route("/meetings/{id}/steps", post(step))
}

/// The quorum in words: present of roster, needed, met or not.
pub fn quorum_words(lang: Lang, m: &Meeting) -> String {
    let counts = t(lang, "meeting.quorum_counts")
        .replace("{present}", &m.present.to_string())
        .replace("{roster}", &m.roster_size.to_string())
        .replace("{needed}", &m.quorum_needed.to_string());
    let verdict = t(
        lang,
        if m.quorum_met {
            "meeting.quorum_met"
        } else {
            "meeting.quorum_not_met"
        },
    );
    format!("{counts}{verdict}")
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<(Meeting, String)>,
    pager: Pager,
    query_string: String,
    region: crate::app::forms::RegionFilter,
    can_call: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::MeetingQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let mut q = q;
    let region = region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let mut l = if region.error.is_some() {
        ops::MeetingList {
            meetings: Vec::new(),
            total: 0,
            page: 1,
            pages: 0,
        }
    } else {
        ops::list(&state, &ctx, &q).await.map_err(&f)?
    };
    let query_string = uri.query().unwrap_or("").to_string();
    let rows = std::mem::take(&mut l.meetings)
        .into_iter()
        .map(|m| {
            let words = quorum_words(ctx.lang, &m);
            (m, words)
        })
        .collect();
    Ok(ListPage {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/meetings", &query_string, l.page, ops::PAGE, l.total),
        rows,
        query_string,
        region,
        can_call: crate::app::forms::holds_any(&ctx, ops::KEEPERS),
    }
    .into_response())
}

/// The call form as typed (kept when refused).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct CallForm {
    village: String,
    kind: String,
    basis: String,
    title: String,
    planned_on: String,
    named_votes: Option<String>,
    roster: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting/form.html")]
struct FormPage {
    page: Page,
    villages: Vec<(String, String)>,
    kinds: Vec<&'static str>,
    bases: Vec<&'static str>,
    i: CallForm,
    error: Option<String>,
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    i: CallForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let villages = region_choices(state, ctx, ops::KEEPERS, None)
        .await
        .map_err(&f)?
        .into_iter()
        .filter(|(c, _)| RegionCode::parse(c).is_ok_and(|r| r.level() == Level::Village))
        .collect();
    let mut page = Page::new(ctx, uri);
    page.path = "/meetings/new".into();
    Ok(FormPage {
        page,
        villages,
        kinds: MeetingKind::ALL.iter().map(|k| k.key()).collect(),
        bases: RosterBasis::ALL.iter().map(|k| k.key()).collect(),
        i,
        error: error.map(|e| e.message(ctx.lang)),
    }
    .into_response())
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let i = CallForm {
        kind: "representatives".into(),
        basis: "households".into(),
        planned_on: sunledger_core::day::today_text(state.now()),
        ..CallForm::default()
    };
    render_form(&state, &ctx, &uri, i, None).await
}

async fn call(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(i): Form<CallForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let input = ops::CallInput {
        village: i.village.clone(),
        kind: i.kind.clone(),
        basis: i.basis.clone(),
        title: i.title.clone(),
        planned_on: i.planned_on.clone(),
        named_votes: i.named_votes.is_some(),
        roster: i.roster.lines().map(str::to_string).collect(),
    };
    match ops::call(&state, &ctx, &input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?done=1", m.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_form(&state, &ctx, &uri, i, Some(e)).await,
    }
}

/// A step's form as typed (kept when refused).
#[derive(Debug, Clone, Default)]
struct StepForm {
    step: String,
    /// The roster lines shown in the attendance form and those ticked.
    shown: Vec<i64>,
    ticked: HashSet<i64>,
    title: String,
    decision: bool,
    votes_for: String,
    votes_against: String,
    votes_abstain: String,
    /// Named ballots by roster line.
    ballots: HashMap<i64, String>,
    minutes: String,
    roster_id: String,
}

impl StepForm {
    /// Whether the roster form shows line `l` ticked: as typed after a refused attendance step,
    /// else as booked.
    fn ticks(&self, l: &RosterLine) -> bool {
        if self.step == "attend" {
            self.ticked.contains(&l.id)
        } else {
            l.present
        }
    }
    fn from_pairs(pairs: Vec<(String, String)>) -> StepForm {
        let mut x = StepForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "step" => x.step = v,
                "shown" => x.shown.extend(v.parse::<i64>().ok()),
                "present" => x.ticked.extend(v.parse::<i64>().ok()),
                "title" => x.title = v,
                "decision" => x.decision = v == "1",
                "votes_for" => x.votes_for = v,
                "votes_against" => x.votes_against = v,
                "votes_abstain" => x.votes_abstain = v,
                "minutes" => x.minutes = v,
                "roster_id" => x.roster_id = v,
                other => {
                    if let Some(n) = other.strip_prefix("ballot_")
                        && let Ok(n) = n.parse::<i64>()
                    {
                        x.ballots.insert(n, v);
                    }
                }
            }
        }
        x
    }
}

/// One agenda item as the page shows it.
struct ItemView {
    title: String,
    decision: bool,
    votes: String,
    outcome: Option<String>,
    /// The named ballots, each `name: ballot` (keepers only; never public).
    ballots: Vec<(String, String)>,
}

/// One roster line as the page shows it.
struct Line {
    l: RosterLine,
    /// The ballot typed for it (named-vote mode).
    typed_ballot: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting/meeting.html")]
struct MeetingPage {
    page: Page,
    m: Meeting,
    quorum: String,
    roster: Vec<Line>,
    present: Vec<Line>,
    items: Vec<ItemView>,
    minutes: String,
    confirmed: usize,
    can_keep: bool,
    ballots: Vec<&'static str>,
    typed: StepForm,
    error: Option<String>,
    done: bool,
}

fn item_views(lang: Lang, r: &MeetingRecord) -> Vec<ItemView> {
    r.items
        .iter()
        .map(|i| {
            let votes = if i.decision {
                t(lang, "meeting.votes")
                    .replace("{for}", &i.votes_for.unwrap_or(0).to_string())
                    .replace("{against}", &i.votes_against.unwrap_or(0).to_string())
                    .replace("{abstain}", &i.votes_abstain.unwrap_or(0).to_string())
                    .replace("{present}", &i.present.to_string())
                    .replace("{roster}", &i.roster_size.to_string())
            } else {
                String::new()
            };
            ItemView {
                title: i.title.clone(),
                decision: i.decision,
                votes,
                outcome: i
                    .outcome
                    .as_deref()
                    .map(|o| t(lang, &format!("meeting.outcome.{o}"))),
                ballots: r
                    .ballots
                    .iter()
                    .filter(|b| b.item_id == i.id)
                    .map(|b| {
                        (
                            b.name.clone(),
                            t(lang, &format!("meeting.ballot.{}", b.ballot)),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: StepForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let r = ops::visible(state, ctx, id).await.map_err(&f)?;
    let can_keep = ctx.actor.has_role(ops::KEEPERS, &r.meeting.region);
    let line = |l: &RosterLine| Line {
        l: l.clone(),
        typed_ballot: typed.ballots.get(&l.id).cloned().unwrap_or_default(),
    };
    let roster: Vec<Line> = r.roster.iter().map(line).collect();
    let present: Vec<Line> = r.roster.iter().filter(|l| l.present).map(line).collect();
    let mut items = item_views(ctx.lang, &r);
    if !can_keep {
        for i in &mut items {
            i.ballots.clear();
        }
    }
    let mut typed = typed;
    if typed.minutes.is_empty() {
        typed.minutes = r.minutes.clone().unwrap_or_default();
    }
    let confirmed = r
        .roster
        .iter()
        .filter(|l| l.confirmed.is_some() && l.confirmed == r.meeting.minutes_sha256)
        .count();
    Ok(MeetingPage {
        page: Page::new(ctx, uri),
        quorum: quorum_words(ctx.lang, &r.meeting),
        m: r.meeting.clone(),
        roster,
        present,
        items,
        minutes: r.minutes.clone().unwrap_or_default(),
        confirmed,
        can_keep,
        ballots: Ballot::ALL.iter().map(|b| b.key()).collect(),
        typed,
        error: error.map(|x| x.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
    }
    .into_response())
}

async fn meeting_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, StepForm::default(), None).await
}

/// Takes a step; answers the anchor of the page's part to show after it.
async fn take(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    x: &StepForm,
) -> Result<&'static str, WebError> {
    match x.step.as_str() {
        "attend" => {
            let r = ops::visible(state, ctx, id).await?;
            let now: HashMap<i64, bool> = r.roster.iter().map(|l| (l.id, l.present)).collect();
            let lines: Vec<ops::AttendanceLine> = x
                .shown
                .iter()
                .filter_map(|rid| {
                    let want = x.ticked.contains(rid);
                    (now.get(rid).copied() != Some(want)).then_some(ops::AttendanceLine {
                        roster_id: *rid,
                        present: want,
                    })
                })
                .collect();
            if !lines.is_empty() {
                ops::attend(state, ctx, id, &ops::AttendanceInput { lines }).await?;
            }
            Ok("roster")
        }
        "item" => {
            let ballots = x
                .ballots
                .iter()
                .filter(|(_, b)| !b.trim().is_empty())
                .map(|(rid, b)| ops::BallotInput {
                    roster_id: *rid,
                    ballot: b.clone(),
                })
                .collect();
            let i = ops::ItemInput {
                title: x.title.clone(),
                decision: x.decision,
                votes_for: Some(x.votes_for.clone()),
                votes_against: Some(x.votes_against.clone()),
                votes_abstain: Some(x.votes_abstain.clone()),
                ballots,
                project_id: None,
            };
            ops::item(state, ctx, id, &i).await?;
            Ok("items")
        }
        "minutes" => {
            let i = ops::MinutesInput {
                minutes: x.minutes.clone(),
            };
            ops::minutes(state, ctx, id, &i).await?;
            Ok("minutes")
        }
        "confirm" => {
            let roster_id = x
                .roster_id
                .trim()
                .parse::<i64>()
                .map_err(|_| WebError::invalid("roster_id", "malformed", x.roster_id.trim()))?;
            ops::confirm(state, ctx, id, &ops::ConfirmInput { roster_id }).await?;
            Ok("minutes")
        }
        other => Err(WebError::invalid("step", "unknown_meeting_action", other)),
    }
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let x = StepForm::from_pairs(pairs);
    match take(&state, &ctx, id, &x).await {
        Ok(part) => Ok(Redirect::to(&format!("/meetings/{id}?done=1#{part}")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}
