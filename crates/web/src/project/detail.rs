//! The page of one project and the forms posted from it.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::project::ops;
use crate::project::pages::{parse_id, place, to_project};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use sunledger_core::project as proj;
use sunledger_core::project::{Stage, StageAction, Status, StatusAction};
use sunledger_core::responsibility::ResponsibleRole;
use sunledger_core::{DepartmentKind, IdNumber, Level, RegionCode, Role};
use sunledger_store::{ProjectVersion, Responsibility};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}", get(project_page))
        .route("/projects/{id}/steps", post(step))
        .route("/projects/{id}/objections", post(object))
        .route("/projects/{id}/milestones", post(add_milestone))
        .route("/projects/{id}/beneficiaries", post(add_beneficiary))
        .route("/objections/{id}/answer", post(answer))
        .route("/milestones/{id}/updates", post(report))
}

// --- One project ------------------------------------------------------------------------------

pub(crate) struct Event {
    at: i64,
    what: String,
    detail: String,
    who: String,
}

pub(crate) struct Person {
    pub(crate) id: i64,
    pub(crate) label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project/project.html")]
struct ProjectPage {
    page: Page,
    v: ops::ProjectView,
    place: String,
    current: Option<ProjectVersion>,
    /// (action key, needs a comment)
    actions: Vec<(&'static str, bool)>,
    can_edit: bool,
    can_track: bool,
    can_answer: bool,
    can_keep_book: bool,
    events: Vec<Event>,
    /// (name, masked ID, household size)
    beneficiaries: Vec<(String, String, i64)>,
    current_people: Vec<Responsibility>,
    people: Vec<Person>,
    roles: Vec<&'static str>,
    unanswered: usize,
    /// The meeting decision the shown version cites (issue 18): its meeting's id, the vote in
    /// words and its outcome's name. Tallies only: named ballots are never shown here.
    vote: Option<(i64, String, String)>,
}

async fn user_name(
    state: &AppState,
    cache: &mut HashMap<i64, String>,
    id: Option<i64>,
) -> Result<String, WebError> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    if let Some(n) = cache.get(&id) {
        return Ok(n.clone());
    }
    let n = state
        .store
        .user(id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    cache.insert(id, n.clone());
    Ok(n)
}

/// People who could answer for a project: those of the county, township and village above it.
async fn candidates(
    state: &AppState,
    region: &RegionCode,
    lang: crate::i18n::Lang,
) -> Result<Vec<Person>, WebError> {
    let mut out = Vec::new();
    for level in [Level::County, Level::Township, Level::Village] {
        let Some(r) = region
            .ancestor_at(level)
            .or_else(|| (region.level() == level).then_some(*region))
        else {
            continue;
        };
        for d in state.store.departments_in(&r).await? {
            let kind = DepartmentKind::parse(&d.kind).ok();
            let relevant = ResponsibleRole::ALL.iter().any(|role| {
                kind.is_some_and(|k| {
                    sunledger_core::org::Position::ALL
                        .iter()
                        .any(|p| role.fits(k, r.level(), *p))
                })
            });
            if !relevant {
                continue;
            }
            for p in state.store.people_in_department(d.id).await? {
                out.push(Person {
                    id: p.id,
                    label: format!(
                        "{} · {} · {}",
                        p.name,
                        d.name,
                        crate::i18n::t(lang, &format!("position.{}", p.position))
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// A changed field's value as a reader knows it: a category or a fund source in words, a village
/// by its name.
async fn shown(
    page: &Page,
    places: &mut crate::app::forms::Names<'_>,
    field: &str,
    value: &str,
) -> Result<String, WebError> {
    Ok(match field {
        "category" => page.tp("project.category.", value),
        "budget" => value
            .split("; ")
            .map(|line| match line.split_once(' ') {
                Some((source, amount)) => {
                    format!("{} {amount}", page.tp("ledger.source.", source))
                }
                None => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("；"),
        "village" => match sunledger_core::RegionCode::parse(value) {
            Ok(code) => format!("{}（{value}）", places.name(&code).await?),
            Err(_) => value.to_string(),
        },
        _ => value.to_string(),
    })
}

async fn project_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let mut v = ops::view(&state, &ctx, id).await.map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let mut places = crate::app::forms::Names::new(&state);
    for c in &mut v.changes {
        c.approved = shown(&page, &mut places, &c.field, &c.approved)
            .await
            .map_err(&f)?;
        c.current = shown(&page, &mut places, &c.field, &c.current)
            .await
            .map_err(&f)?;
    }
    let p = v.record.project.clone();
    let region = p.region;
    let stage = Stage::parse(&p.stage).map_err(|e| f(e.into()))?;
    let status = p.status.as_deref().and_then(|s| Status::parse(s).ok());
    let has = |roles: &[Role]| ctx.actor.has_role(roles, &region);
    let mut actions = Vec::new();
    for a in StageAction::ALL {
        if has(a.roles()) && stage.next(*a, None, i64::MAX).is_ok()
            || (*a == StageAction::CountyApprove && stage == Stage::Noticed && has(a.roles()))
        {
            actions.push((a.key(), a.needs_comment()));
        }
    }
    if stage.in_library() {
        let s = status.unwrap_or(Status::Planned);
        for a in StatusAction::ALL {
            // Acceptance is taken through Book 4 (`/acceptances`), not as a bare step.
            if *a != StatusAction::Accept && has(a.roles()) && s.next(*a, 100).is_ok() {
                actions.push((a.key(), false));
            }
        }
    }
    let mut names = HashMap::new();
    let mut events = Vec::new();
    for x in &v.record.versions {
        events.push(Event {
            at: x.created_at,
            what: format!("{} {}", page.t("project.version"), x.version),
            detail: x.note.clone(),
            who: user_name(&state, &mut names, x.actor_id)
                .await
                .map_err(&f)?,
        });
    }
    for e in &v.record.events {
        events.push(Event {
            at: e.at,
            what: page.tp("project.action.", &e.action),
            detail: e.comment.clone(),
            who: user_name(&state, &mut names, e.actor_id)
                .await
                .map_err(&f)?,
        });
    }
    for o in &v.record.objections {
        events.push(Event {
            at: o.recorded_at,
            what: page.t("project.objection_recorded"),
            detail: format!("{}：{}", o.objector, o.content),
            who: user_name(&state, &mut names, o.recorded_by)
                .await
                .map_err(&f)?,
        });
        if let (Some(at), Some(a)) = (o.answered_at, &o.answer) {
            events.push(Event {
                at,
                what: page.t("project.objection_answered"),
                detail: a.clone(),
                who: user_name(&state, &mut names, o.answered_by)
                    .await
                    .map_err(&f)?,
            });
        }
    }
    for u in &v.record.updates {
        let m = v
            .record
            .milestones
            .iter()
            .find(|m| m.id == u.milestone_id)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        events.push(Event {
            at: u.at,
            what: format!(
                "{} · {m} {}%",
                page.t("project.progress_report"),
                u.progress
            ),
            detail: format!("{} {}", u.on_date, u.note),
            who: user_name(&state, &mut names, u.actor_id)
                .await
                .map_err(&f)?,
        });
    }
    for r in &v.record.responsibilities {
        events.push(Event {
            at: r.assigned_at,
            what: page.t("project.responsibility_assigned"),
            detail: format!(
                "{} · {} · {}",
                page.tp("resp.role.", &r.role),
                r.person_name,
                r.start_on
            ),
            who: user_name(&state, &mut names, r.assigned_by)
                .await
                .map_err(&f)?,
        });
    }
    events.sort_by_key(|e| e.at);
    let today = v.today.clone();
    let current_people = v
        .record
        .responsibilities
        .iter()
        .filter(|r| {
            r.end_on.as_deref().is_none_or(|e| e >= today.as_str())
                && r.start_on.as_str() <= today.as_str()
        })
        .cloned()
        .collect();
    let can_keep_book = has(sunledger_core::responsibility::RESPONSIBILITY_KEEPERS);
    let people = if can_keep_book {
        candidates(&state, &region, ctx.lang).await.map_err(&f)?
    } else {
        Vec::new()
    };
    let beneficiaries = v
        .record
        .beneficiaries
        .iter()
        .map(|b| {
            let masked = IdNumber::parse(&b.id_number)
                .map(|n| n.masked())
                .unwrap_or_default();
            (b.name.clone(), masked, b.household_size)
        })
        .collect();
    let current = v
        .record
        .versions
        .iter()
        .find(|x| x.version == p.version)
        .cloned();
    let vote = match current.as_ref().and_then(|c| c.meeting_item_id) {
        Some(item) => state
            .store
            .meeting_item(item)
            .await
            .map_err(|e| f(e.into()))?
            .map(|x| {
                let lang = ctx.lang;
                let votes = crate::i18n::t(lang, "meeting.votes")
                    .replace("{for}", &x.item.votes_for.unwrap_or(0).to_string())
                    .replace("{against}", &x.item.votes_against.unwrap_or(0).to_string())
                    .replace("{abstain}", &x.item.votes_abstain.unwrap_or(0).to_string())
                    .replace("{present}", &x.item.present.to_string())
                    .replace("{roster}", &x.item.roster_size.to_string());
                let outcome = crate::i18n::t(
                    lang,
                    &format!("meeting.outcome.{}", x.item.outcome.unwrap_or_default()),
                );
                (x.meeting.id, votes, outcome)
            }),
        None => None,
    };
    Ok(ProjectPage {
        vote,
        place: place(&state, &mut HashMap::new(), &region)
            .await
            .map_err(&f)?,
        current,
        actions,
        can_edit: has(stage.editors()),
        can_track: has(proj::TRACKERS),
        can_answer: has(proj::ANSWERERS),
        can_keep_book,
        events,
        beneficiaries,
        current_people,
        people,
        roles: ResponsibleRole::ALL.iter().map(|r| r.key()).collect(),
        unanswered: v
            .record
            .objections
            .iter()
            .filter(|o| o.answer.is_none())
            .count(),
        v,
        page,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    action: String,
    #[serde(default)]
    comment: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    ops::step(
        &state,
        &ctx,
        id,
        &ops::StepInput {
            action: x.action,
            comment: x.comment,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}

async fn object(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ops::ObjectionInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    ops::object(&state, &ctx, id, &x).await.map_err(&f)?;
    Ok(to_project(id))
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ops::AnswerInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let o = ops::answer(&state, &ctx, id, &x).await.map_err(&f)?;
    Ok(to_project(o.project_id))
}

#[derive(Deserialize)]
struct MilestoneForm {
    name: String,
    weight: String,
    #[serde(default)]
    due_on: String,
}

async fn add_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<MilestoneForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let weight = x.weight.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "weight",
            "not_a_number",
            x.weight.as_str(),
        ))
    })?;
    ops::add_milestone(
        &state,
        &ctx,
        id,
        &ops::MilestoneInput {
            name: x.name,
            weight,
            due_on: Some(x.due_on).filter(|d| !d.trim().is_empty()),
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}

#[derive(Deserialize)]
struct ReportForm {
    progress: String,
    on_date: String,
    #[serde(default)]
    note: String,
}

async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ReportForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let progress = x.progress.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "progress",
            "not_a_number",
            x.progress.as_str(),
        ))
    })?;
    let p = ops::report(
        &state,
        &ctx,
        id,
        &ops::ProgressInput {
            progress,
            on_date: x.on_date,
            note: x.note,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(p.id))
}

#[derive(Deserialize)]
struct BeneficiaryForm {
    name: String,
    id_number: String,
    household_size: String,
}

async fn add_beneficiary(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<BeneficiaryForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let household_size = x.household_size.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "household_size",
            "not_a_number",
            x.household_size.as_str(),
        ))
    })?;
    ops::add_beneficiary(
        &state,
        &ctx,
        id,
        &ops::BeneficiaryInput {
            name: x.name,
            id_number: x.id_number,
            household_size,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}
