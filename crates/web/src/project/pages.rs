//! Pages of the project library: the list, declaring and revising a project.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page;
use crate::app::page::{Page, PageResult, fail};
use crate::project::ops;
use crate::project::ops::{BudgetInput, IndicatorInput, ProjectInput};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_core::project::{Category, Stage, StageAction, Status};
use sunledger_core::{Level, RegionCode};
use sunledger_store::ProjectVersion;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(library_page).post(create))
        .route("/projects/new", get(new_form))
        .route("/projects/{id}/edit", get(edit_form))
        .route("/projects/{id}/versions", post(revise))
}

pub(crate) fn to_project(id: i64) -> Response {
    Redirect::to(&format!("/projects/{id}")).into_response()
}

pub(crate) fn parse_id(
    f: &impl Fn(WebError) -> page::PageError,
    raw: &str,
) -> Result<i64, page::PageError> {
    raw.parse().map_err(|_| f(WebError::NotFound))
}

// --- The library ------------------------------------------------------------------------------

pub(crate) struct Row {
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
#[template(path = "project/projects.html")]
struct LibraryView {
    page: Page,
    rows: Vec<Row>,
    total: i64,
    page_no: i64,
    pages: i64,
    q: ops::LibraryQuery,
    /// The region as typed, the picker's choices, and a refusal of the filters.
    region_input: String,
    regions: Vec<String>,
    filter_error: Option<String>,
    /// The person filtered on, by name.
    person: Option<String>,
    query_string: String,
    categories: Vec<&'static str>,
    stages: Vec<&'static str>,
    statuses: Vec<&'static str>,
    can_declare: bool,
}

pub(crate) fn query_string(q: &ops::LibraryQuery) -> String {
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
            parts.push(format!("{k}={}", page::urlencode(v)));
        }
    }
    parts.join("&")
}

/// "Township · village" names of a project's region.
pub(crate) async fn place(
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
    Query(q): Query<ops::LibraryQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let mut q = q;
    // The region may be typed as a name; the person is shown by name (reached from their page).
    let region_input = q.region.clone().unwrap_or_default();
    let mut filter_error = None;
    match crate::app::ops::region_typed(&state, &ctx, "region", &region_input).await {
        Ok(code) => q.region = code,
        Err(e) if crate::app::forms::is_access(&e) => return Err(f(e)),
        Err(e) => filter_error = Some(e.message(ctx.lang)),
    }
    let person = match crate::app::ops::opt(&q.person).map(str::parse::<i64>) {
        Some(Ok(id)) => state
            .store
            .person(id)
            .await
            .map_err(|e| f(e.into()))?
            .map(|p| p.name),
        _ => None,
    };
    let lib = if filter_error.is_some() {
        ops::Library {
            projects: Vec::new(),
            total: 0,
            page: 1,
            pages: 1,
        }
    } else {
        ops::library(&state, &ctx, &q).await.map_err(&f)?
    };
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
        regions: crate::app::forms::region_picker(&state, &ctx)
            .await
            .map_err(&f)?,
        region_input,
        filter_error,
        person,
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
#[template(path = "project/project_form.html")]
struct FormView {
    page: Page,
    action: String,
    editing: bool,
    /// A note is required (the project is approved).
    note_required: bool,
    i: ProjectInput,
    budget: Vec<(&'static str, String)>,
    /// The indicator rows as typed (or stored), then blank rows to fill in.
    targets: Vec<FormRow>,
    /// Indicator kinds by class, for the kind pickers.
    kinds: Vec<(&'static str, Vec<&'static str>)>,
    villages: Vec<(String, String)>,
    /// The passed meeting decisions of those villages a declaration may cite (issue 18).
    meeting_items: Vec<(i64, String)>,
    categories: Vec<&'static str>,
    error: Option<String>,
    title: String,
}

/// The passed decisions of the villages' meetings a declaration may cite, newest first, each
/// named: the village, the meeting, the item, its day and vote.
async fn meeting_choices(
    state: &AppState,
    ctx: &Ctx,
    villages: &[(String, String)],
) -> Result<Vec<(i64, String)>, WebError> {
    let mut out = Vec::new();
    for (code, _) in villages {
        let Ok(v) = sunledger_core::RegionCode::parse(code) else {
            continue;
        };
        for x in state.store.passed_items(&v).await? {
            out.push((
                x.item.id,
                format!(
                    "{} · {} · {}（{}，{}）",
                    x.meeting.region_name,
                    x.meeting.title,
                    x.item.title,
                    x.meeting.held_on.clone().unwrap_or_default(),
                    crate::i18n::t(ctx.lang, "meeting.votes")
                        .replace("{for}", &x.item.votes_for.unwrap_or(0).to_string())
                        .replace("{against}", &x.item.votes_against.unwrap_or(0).to_string())
                        .replace("{abstain}", &x.item.votes_abstain.unwrap_or(0).to_string())
                        .replace("{present}", &x.item.present.to_string())
                        .replace("{roster}", &x.item.roster_size.to_string())
                ),
            ));
        }
    }
    Ok(out)
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

pub(crate) fn budget_rows(i: &ProjectInput) -> Vec<(&'static str, String)> {
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

/// One row of the form's indicator table, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormRow {
    n: usize,
    kind: String,
    name: String,
    operator: String,
    target: String,
    unit: String,
    weight: String,
    core: bool,
}

/// Blank rows the form offers below the filled ones (at least [`MIN_ROWS`] rows in all).
const BLANK_ROWS: usize = 3;
const MIN_ROWS: usize = 6;

/// The rows to show: the filled ones renumbered, then blank ones.
fn form_rows(filled: Vec<FormRow>) -> Vec<FormRow> {
    let max = sunledger_core::acceptance::MAX_INDICATORS;
    let total = (filled.len() + BLANK_ROWS)
        .max(MIN_ROWS)
        .min(max.max(filled.len()));
    filled
        .into_iter()
        .chain(std::iter::repeat_with(FormRow::default))
        .take(total)
        .enumerate()
        .map(|(n, r)| FormRow { n, ..r })
        .collect()
}

fn row_of(i: &IndicatorInput) -> FormRow {
    FormRow {
        n: 0,
        kind: i.kind.clone(),
        name: i.name.clone(),
        operator: i.operator.clone(),
        target: i.target.clone(),
        unit: i.unit.clone(),
        weight: i.weight.to_string(),
        core: i.core,
    }
}

fn kinds() -> Vec<(&'static str, Vec<&'static str>)> {
    use sunledger_core::acceptance::{IndicatorClass, IndicatorKind};
    IndicatorClass::ALL
        .iter()
        .map(|c| {
            (
                c.key(),
                IndicatorKind::ALL
                    .iter()
                    .filter(|k| k.class() == *c)
                    .map(|k| k.key())
                    .collect(),
            )
        })
        .collect()
}

pub(crate) fn input_of(v: &ProjectVersion) -> ProjectInput {
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
        targets: v.targets.iter().map(IndicatorInput::of).collect(),
        meeting_item_id: v.meeting_item_id,
        meeting_on: v.meeting_on.clone(),
        meeting_ref: v.meeting_ref.clone(),
        description: v.description.clone(),
        declare: false,
        note: String::new(),
    }
}

/// The form's fields into a project input, and its indicator rows as typed; a number that does
/// not parse is named (`fiscal_year`, `targets[2].weight`). Blank indicator rows are dropped.
fn input_from_form(x: &HashMap<String, String>) -> (ProjectInput, Vec<FormRow>, Option<WebError>) {
    let get = |k: &str| x.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut err = None;
    let fiscal_year = match get("fiscal_year").parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            err = Some(WebError::invalid(
                "fiscal_year",
                "not_a_number",
                get("fiscal_year"),
            ));
            0
        }
    };
    let mut rows = Vec::new();
    for n in 0..sunledger_core::acceptance::MAX_INDICATORS {
        let cell = |f: &str| get(&format!("t{n}_{f}"));
        let r = FormRow {
            n: rows.len(),
            kind: cell("kind"),
            name: cell("name"),
            operator: cell("operator"),
            target: cell("target"),
            unit: cell("unit"),
            weight: cell("weight"),
            core: cell("core") == "1",
        };
        if [&r.name, &r.target, &r.unit, &r.weight]
            .iter()
            .all(|v| v.is_empty())
        {
            continue;
        }
        rows.push(r);
    }
    let mut targets = Vec::new();
    for r in &rows {
        let weight = match r.weight.parse::<i64>() {
            Ok(w) => w,
            Err(_) => {
                if err.is_none() {
                    err = Some(WebError::invalid(
                        sunledger_core::acceptance::row_field(r.n, "weight"),
                        if r.weight.is_empty() {
                            "empty"
                        } else {
                            "not_a_number"
                        },
                        r.weight.clone(),
                    ));
                }
                0
            }
        };
        targets.push(IndicatorInput {
            kind: r.kind.clone(),
            name: r.name.clone(),
            operator: r.operator.clone(),
            target: r.target.clone(),
            unit: r.unit.clone(),
            weight,
            core: r.core,
        });
    }
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
        targets,
        meeting_item_id: get("meeting_item_id").parse::<i64>().ok(),
        meeting_on: get("meeting_on"),
        meeting_ref: get("meeting_ref"),
        description: get("description"),
        declare: get("declare") == "1",
        note: get("note"),
    };
    (i, rows, err)
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
        ..Default::default()
    };
    let page = Page::new(&ctx, &uri);
    // A satisfaction indicator is required: the form starts with one.
    let first = FormRow {
        kind: "satisfied".into(),
        name: page.t("project.default_satisfaction"),
        operator: "ge".into(),
        target: "90".into(),
        unit: "%".into(),
        ..Default::default()
    };
    let meeting_items = meeting_choices(&state, &ctx, &villages).await.map_err(&f)?;
    Ok(FormView {
        meeting_items,
        targets: form_rows(vec![first]),
        kinds: kinds(),
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
    let (i, rows, err) = input_from_form(&x);
    let r = match err {
        Some(e) => Err(e),
        None => ops::create(&state, &ctx, &i).await,
    };
    match r {
        Ok(p) => Ok(to_project(p.id)),
        Err(WebError::Unauthorized) => Err(f(WebError::Unauthorized)),
        Err(e) => {
            let villages = declaring_villages(&state, &ctx).await.map_err(&f)?;
            let meeting_items = meeting_choices(&state, &ctx, &villages).await.map_err(&f)?;
            let page = Page::new(&ctx, &uri);
            let status = e.status();
            Ok((
                status,
                FormView {
                    meeting_items,
                    targets: form_rows(rows),
                    kinds: kinds(),
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
    let v = ops::view(&state, &ctx, id).await.map_err(&f)?;
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
    let here = vec![(p.region.as_str().to_string(), String::new())];
    let meeting_items = meeting_choices(&state, &ctx, &here).await.map_err(&f)?;
    Ok(FormView {
        meeting_items,
        targets: form_rows(i.targets.iter().map(row_of).collect()),
        kinds: kinds(),
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
    let (i, rows, err) = input_from_form(&x);
    let r = match err {
        Some(e) => Err(e),
        None => ops::revise(&state, &ctx, id, &i).await,
    };
    match r {
        Ok(p) => Ok(to_project(p.id)),
        Err(e @ (WebError::Unauthorized | WebError::NotFound | WebError::Forbidden)) => Err(f(e)),
        Err(e) => {
            let p = ops::visible(&state, &ctx, id).await.map_err(&f)?;
            let here = vec![(p.region.as_str().to_string(), String::new())];
            let meeting_items = meeting_choices(&state, &ctx, &here).await.map_err(&f)?;
            let page = Page::new(&ctx, &uri);
            let status = e.status();
            Ok((
                status,
                FormView {
                    meeting_items,
                    targets: form_rows(rows),
                    kinds: kinds(),
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
