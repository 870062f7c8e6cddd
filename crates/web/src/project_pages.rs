//! Pages of the project library and Book 2. Forms post back here and redirect to the project
//! after success; a refused declaration or revision comes back as the same form, filled in as
//! sent, with the reason, so nothing typed on a phone is lost.
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::pages::{Page, PageResult, fail};
use crate::projects::{self as pj, BudgetInput, ProjectInput};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_core::project::{
    self as proj, Category, ResponsibleRole, Stage, StageAction, Status, StatusAction,
};
use sunledger_core::{DepartmentKind, IdNumber, Level, RegionCode, Role};
use sunledger_store::{ProjectVersion, Responsibility, ResponsibilityLetter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(library_page).post(create))
        .route("/projects/new", get(new_form))
        .route("/projects/{id}", get(project_page))
        .route("/projects/{id}/edit", get(edit_form))
        .route("/projects/{id}/versions", post(revise))
        .route("/projects/{id}/steps", post(step))
        .route("/projects/{id}/objections", post(object))
        .route("/projects/{id}/milestones", post(add_milestone))
        .route("/projects/{id}/beneficiaries", post(add_beneficiary))
        .route("/projects/{id}/responsibilities", post(assign))
        .route("/objections/{id}/answer", post(answer))
        .route("/milestones/{id}/updates", post(report))
        .route("/responsibilities/{id}/end", post(end))
        .route("/responsibility", get(book_page))
        .route("/responsibility/letters", post(file_letter))
        .route("/responsibility/letters/{id}", get(letter_page))
}

fn to_project(id: i64) -> Response {
    Redirect::to(&format!("/projects/{id}")).into_response()
}

fn parse_id(
    f: &impl Fn(WebError) -> crate::pages::PageError,
    raw: &str,
) -> Result<i64, crate::pages::PageError> {
    raw.parse().map_err(|_| f(WebError::NotFound))
}

// --- The library ------------------------------------------------------------------------------

struct Row {
    id: i64,
    name: String,
    category: String,
    place: String,
    year: i64,
    budget: Money,
    stage: String,
    status: Option<String>,
    progress: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "projects.html")]
struct LibraryView {
    page: Page,
    rows: Vec<Row>,
    total: i64,
    page_no: i64,
    pages: i64,
    q: pj::LibraryQuery,
    query_string: String,
    categories: Vec<&'static str>,
    stages: Vec<&'static str>,
    statuses: Vec<&'static str>,
    can_declare: bool,
}

fn query_string(q: &pj::LibraryQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("region", &q.region),
        ("year", &q.year),
        ("category", &q.category),
        ("stage", &q.stage),
        ("status", &q.status),
        ("person", &q.person),
        ("q", &q.q),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", crate::pages::urlencode(v)));
        }
    }
    parts.join("&")
}

/// "Township · village" names of a project's region.
async fn place(
    state: &AppState,
    cache: &mut HashMap<RegionCode, String>,
    r: &RegionCode,
) -> Result<String, WebError> {
    let mut out = Vec::new();
    for c in [r.ancestor_at(Level::Township), Some(*r)]
        .into_iter()
        .flatten()
    {
        if let Some(n) = cache.get(&c) {
            out.push(n.clone());
            continue;
        }
        let n = state
            .store
            .region(&c)
            .await?
            .map(|x| x.name)
            .unwrap_or_default();
        cache.insert(c, n.clone());
        out.push(n);
    }
    out.dedup();
    Ok(out.join(" · "))
}

async fn library_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<pj::LibraryQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let lib = pj::library(&state, &ctx, &q).await.map_err(&f)?;
    let mut cache = HashMap::new();
    let mut rows = Vec::new();
    for p in lib.projects {
        rows.push(Row {
            place: place(&state, &mut cache, &p.region).await.map_err(&f)?,
            id: p.id,
            name: p.name,
            category: p.category,
            year: p.fiscal_year,
            budget: Money::from_fen(p.budget_total_fen),
            stage: p.stage,
            status: p.status,
            progress: p.progress,
        });
    }
    Ok(LibraryView {
        page: Page::new(&ctx, &uri),
        rows,
        total: lib.total,
        page_no: lib.page,
        pages: lib.pages,
        query_string: query_string(&q),
        q,
        categories: Category::ALL.iter().map(|c| c.key()).collect(),
        stages: Stage::ALL.iter().map(|c| c.key()).collect(),
        statuses: Status::ALL.iter().map(|c| c.key()).collect(),
        can_declare: ctx
            .actor
            .grants
            .iter()
            .any(|g| StageAction::Declare.roles().contains(&g.role)),
    }
    .into_response())
}

// --- Declaring and revising -------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "project_form.html")]
struct FormView {
    page: Page,
    action: String,
    editing: bool,
    /// A note is required (the project is approved).
    note_required: bool,
    i: ProjectInput,
    budget: Vec<(&'static str, String)>,
    villages: Vec<(String, String)>,
    categories: Vec<&'static str>,
    error: Option<String>,
    title: String,
}

/// Villages where the caller may declare: those of their village roles (the villages below a
/// wider grant are typed in).
async fn declaring_villages(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(String, String)>, WebError> {
    let mut out = Vec::new();
    for g in &ctx.actor.grants {
        if StageAction::Declare.roles().contains(&g.role) && g.region.level() == Level::Village {
            let name = state
                .store
                .region(&g.region)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            out.push((g.region.as_str().to_string(), name));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn budget_rows(i: &ProjectInput) -> Vec<(&'static str, String)> {
    FundSource::ALL
        .iter()
        .map(|s| {
            let v = i
                .budget
                .iter()
                .find(|b| b.source == s.key())
                .map(|b| b.amount.clone())
                .unwrap_or_default();
            (s.key(), v)
        })
        .collect()
}

fn input_of(v: &ProjectVersion) -> ProjectInput {
    ProjectInput {
        village: v.village.clone(),
        name: v.name.clone(),
        category: v.category.clone(),
        fiscal_year: v.fiscal_year,
        budget: v
            .budget
            .iter()
            .map(|b| BudgetInput {
                source: b.source.clone(),
                amount: Money::from_fen(b.amount_fen).to_string(),
            })
            .collect(),
        outputs: v.outputs.clone(),
        households: v.households,
        income_effect: v.income_effect.clone(),
        satisfaction: v.satisfaction,
        meeting_on: v.meeting_on.clone(),
        meeting_ref: v.meeting_ref.clone(),
        description: v.description.clone(),
        declare: false,
        note: String::new(),
    }
}

/// The form's fields into a project input; numbers that do not parse are named.
fn input_from_form(x: &HashMap<String, String>) -> (ProjectInput, Option<WebError>) {
    let get = |k: &str| x.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut err = None;
    let mut num = |k: &'static str| -> i64 {
        let v = get(k);
        match v.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                if err.is_none() {
                    err = Some(WebError::invalid(k, "not_a_number", v));
                }
                0
            }
        }
    };
    let fiscal_year = num("fiscal_year");
    let households = num("households");
    let satisfaction = num("satisfaction");
    let i = ProjectInput {
        village: get("village"),
        name: get("name"),
        category: get("category"),
        fiscal_year,
        budget: FundSource::ALL
            .iter()
            .map(|s| BudgetInput {
                source: s.key().to_string(),
                amount: get(&format!("budget_{}", s.key())),
            })
            .filter(|b| !b.amount.is_empty())
            .collect(),
        outputs: get("outputs"),
        households,
        income_effect: get("income_effect"),
        satisfaction,
        meeting_on: get("meeting_on"),
        meeting_ref: get("meeting_ref"),
        description: get("description"),
        declare: get("declare") == "1",
        note: get("note"),
    };
    (i, err)
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let villages = declaring_villages(&state, &ctx).await.map_err(&f)?;
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let i = ProjectInput {
        village: villages.first().map(|v| v.0.clone()).unwrap_or_default(),
        category: "infrastructure".into(),
        fiscal_year: today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026),
        satisfaction: 90,
        ..Default::default()
    };
    let page = Page::new(&ctx, &uri);
    Ok(FormView {
        title: page.t("project.declare"),
        page,
        action: "/projects".into(),
        editing: false,
        note_required: false,
        budget: budget_rows(&i),
        i,
        villages,
        categories: Category::ALL.iter().map(|c| c.key()).collect(),
        error: None,
    }
    .into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let (i, err) = input_from_form(&x);
    let r = match err {
        Some(e) => Err(e),
        None => pj::create(&state, &ctx, &i).await,
    };
    match r {
        Ok(p) => Ok(to_project(p.id)),
        Err(WebError::Unauthorized) => Err(f(WebError::Unauthorized)),
        Err(e) => {
            let villages = declaring_villages(&state, &ctx).await.map_err(&f)?;
            let page = Page::new(&ctx, &uri);
            let status = e.status();
            Ok((
                status,
                FormView {
                    title: page.t("project.declare"),
                    error: Some(e.message(page.lang)),
                    page,
                    action: "/projects".into(),
                    editing: false,
                    note_required: false,
                    budget: budget_rows(&i),
                    i,
                    villages,
                    categories: Category::ALL.iter().map(|c| c.key()).collect(),
                }
                .into_response(),
            )
                .into_response())
        }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let v = pj::view(&state, &ctx, id).await.map_err(&f)?;
    let p = &v.record.project;
    let stage = Stage::parse(&p.stage).map_err(|e| f(e.into()))?;
    let i = v
        .record
        .versions
        .iter()
        .find(|x| x.version == p.version)
        .map(input_of)
        .unwrap_or_default();
    let page = Page::new(&ctx, &uri);
    Ok(FormView {
        title: format!("{} · {}", page.t("project.edit"), p.name),
        page,
        action: format!("/projects/{id}/versions"),
        editing: true,
        note_required: stage.in_library(),
        budget: budget_rows(&i),
        villages: vec![(p.region.as_str().to_string(), String::new())],
        i,
        categories: Category::ALL.iter().map(|c| c.key()).collect(),
        error: None,
    }
    .into_response())
}

async fn revise(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let (i, err) = input_from_form(&x);
    let r = match err {
        Some(e) => Err(e),
        None => pj::revise(&state, &ctx, id, &i).await,
    };
    match r {
        Ok(p) => Ok(to_project(p.id)),
        Err(e @ (WebError::Unauthorized | WebError::NotFound | WebError::Forbidden)) => Err(f(e)),
        Err(e) => {
            let p = pj::visible(&state, &ctx, id).await.map_err(&f)?;
            let page = Page::new(&ctx, &uri);
            let status = e.status();
            Ok((
                status,
                FormView {
                    title: format!("{} · {}", page.t("project.edit"), p.name),
                    error: Some(e.message(page.lang)),
                    page,
                    action: format!("/projects/{id}/versions"),
                    editing: true,
                    note_required: Stage::parse(&p.stage)
                        .map(|s| s.in_library())
                        .unwrap_or(false),
                    budget: budget_rows(&i),
                    villages: vec![(p.region.as_str().to_string(), String::new())],
                    i,
                    categories: Category::ALL.iter().map(|c| c.key()).collect(),
                }
                .into_response(),
            )
                .into_response())
        }
    }
}

// --- One project ------------------------------------------------------------------------------

struct Event {
    at: i64,
    what: String,
    detail: String,
    who: String,
}

struct Person {
    id: i64,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project.html")]
struct ProjectPage {
    page: Page,
    v: pj::ProjectView,
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
                    sunledger_core::department::Position::ALL
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

async fn project_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let v = pj::view(&state, &ctx, id).await.map_err(&f)?;
    let page = Page::new(&ctx, &uri);
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
            if has(a.roles()) && s.next(*a, 100).is_ok() {
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
    let can_keep_book = has(proj::RESPONSIBILITY_KEEPERS);
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
    Ok(ProjectPage {
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
struct StepForm {
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
    pj::step(
        &state,
        &ctx,
        id,
        &pj::StepInput {
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
    Form(x): Form<pj::ObjectionInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    pj::object(&state, &ctx, id, &x).await.map_err(&f)?;
    Ok(to_project(id))
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<pj::AnswerInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let o = pj::answer(&state, &ctx, id, &x).await.map_err(&f)?;
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
    pj::add_milestone(
        &state,
        &ctx,
        id,
        &pj::MilestoneInput {
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
    let p = pj::report(
        &state,
        &ctx,
        id,
        &pj::ProgressInput {
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
    pj::add_beneficiary(
        &state,
        &ctx,
        id,
        &pj::BeneficiaryInput {
            name: x.name,
            id_number: x.id_number,
            household_size,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}

#[derive(Deserialize)]
struct AssignForm {
    person_id: String,
    role: String,
    start_on: String,
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<AssignForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let person_id = x.person_id.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "person_id",
            "not_a_number",
            x.person_id.as_str(),
        ))
    })?;
    pj::assign(
        &state,
        &ctx,
        id,
        &pj::ResponsibilityInput {
            person_id,
            role: x.role,
            start_on: x.start_on,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}

#[derive(Deserialize)]
struct EndForm {
    end_on: String,
    reason: String,
}

async fn end(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<EndForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = pj::end(
        &state,
        &ctx,
        id,
        &pj::EndInput {
            end_on: x.end_on,
            reason: x.reason,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(r.project_id))
}

// --- Book 2 -----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "responsibility.html")]
struct BookView {
    page: Page,
    rows: Vec<Responsibility>,
    letters: Vec<ResponsibilityLetter>,
    q: pj::BookQuery,
    query_string: String,
    person_name: Option<String>,
    /// Townships where the caller may file letters, and the signatories to choose from.
    townships: Vec<(String, String)>,
    bureau_people: Vec<Person>,
    township_people: Vec<Person>,
    today: String,
}

async fn book_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<pj::BookQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let rows = pj::book(&state, &ctx, &q).await.map_err(&f)?;
    let letters = pj::letters(
        &state,
        &ctx,
        &pj::LetterQuery {
            region: q.region.clone(),
        },
    )
    .await
    .map_err(&f)?;
    let person_name = match q
        .person
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
    {
        Some(pid) => crate::ops::visible_person(&state, &ctx, pid)
            .await
            .ok()
            .map(|p| p.name),
        None => None,
    };
    let mut townships = Vec::new();
    let mut bureau_people = Vec::new();
    let mut township_people = Vec::new();
    for g in &ctx.actor.grants {
        if !proj::RESPONSIBILITY_KEEPERS.contains(&g.role) {
            continue;
        }
        let Some(county) = g
            .region
            .ancestor_at(Level::County)
            .or_else(|| (g.region.level() == Level::County).then_some(g.region))
        else {
            continue;
        };
        for d in state
            .store
            .departments_in(&county)
            .await
            .map_err(|e| f(e.into()))?
        {
            if d.kind == DepartmentKind::PovertyBureau.key() {
                for p in state
                    .store
                    .people_in_department(d.id)
                    .await
                    .map_err(|e| f(e.into()))?
                {
                    bureau_people.push(Person {
                        id: p.id,
                        label: format!("{} · {}", p.name, d.name),
                    });
                }
            }
        }
        for t in state
            .store
            .region_children(&county)
            .await
            .map_err(|e| f(e.into()))?
        {
            if !t.code.is_within(&g.region) && !g.region.is_within(&t.code) {
                continue;
            }
            townships.push((t.code.as_str().to_string(), t.name.clone()));
            for d in state
                .store
                .departments_in(&t.code)
                .await
                .map_err(|e| f(e.into()))?
            {
                if d.kind == DepartmentKind::PartyCommittee.key()
                    || d.kind == DepartmentKind::Government.key()
                {
                    for p in state
                        .store
                        .people_in_department(d.id)
                        .await
                        .map_err(|e| f(e.into()))?
                    {
                        township_people.push(Person {
                            id: p.id,
                            label: format!("{} · {} · {}", t.name, p.name, d.name),
                        });
                    }
                }
            }
        }
    }
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let query_string = {
        let mut parts = Vec::new();
        for (k, v) in [
            ("region", &q.region),
            ("project", &q.project),
            ("person", &q.person),
            ("on", &q.on),
            ("year", &q.year),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                parts.push(format!("{k}={}", crate::pages::urlencode(v)));
            }
        }
        parts.join("&")
    };
    Ok(BookView {
        page: Page::new(&ctx, &uri),
        rows,
        letters,
        q,
        query_string,
        person_name,
        townships,
        bureau_people,
        township_people,
        today,
    }
    .into_response())
}

#[derive(Deserialize)]
struct LetterForm {
    township: String,
    fiscal_year: String,
    document_no: String,
    title: String,
    content: String,
    bureau_person_id: String,
    township_person_id: String,
    signed_on: String,
}

async fn file_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<LetterForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let n = |field: &'static str, v: &str| -> Result<i64, crate::pages::PageError> {
        v.trim()
            .parse()
            .map_err(|_| f(WebError::invalid(field, "not_a_number", v)))
    };
    let input = pj::LetterInput {
        fiscal_year: n("fiscal_year", &x.fiscal_year)?,
        bureau_person_id: n("bureau_person_id", &x.bureau_person_id)?,
        township_person_id: n("township_person_id", &x.township_person_id)?,
        township: x.township,
        document_no: x.document_no,
        title: x.title,
        content: x.content,
        signed_on: x.signed_on,
    };
    let l = pj::file_letter(&state, &ctx, &input).await.map_err(&f)?;
    Ok(Redirect::to(&format!("/responsibility/letters/{}", l.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "letter.html")]
struct LetterView {
    page: Page,
    l: ResponsibilityLetter,
    township_name: String,
}

async fn letter_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let l = pj::letter(&state, &ctx, id).await.map_err(&f)?;
    let township_name = state
        .store
        .region(&l.township)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(LetterView {
        page: Page::new(&ctx, &uri),
        l,
        township_name,
    }
    .into_response())
}
