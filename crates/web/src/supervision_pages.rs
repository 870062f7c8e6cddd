//! Pages of supervision: Book 3 (the problem rectification ledger) with each problem's lifecycle
//! and escalation ladder, printable letters, inspections with their quarterly coverage, and the
//! municipal bureau's spot-check draws. Forms post back here and redirect after success; a
//! refused form comes back filled in as sent, with the reason, so nothing typed on a phone is
//! lost. Every operation goes through `crate::supervision`, as the JSON API does.
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::pages::{Page, PageError, PageResult, fail, urlencode};
use crate::supervision::{self as svw, ProblemQuery};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use sunledger_core::supervision::{
    self as sv, ProblemAction, ProblemCategory, ProblemState, SampleRules, Severity, Step,
};
use sunledger_core::{DepartmentKind, Level, RegionCode, Role};
use sunledger_store::{Escalation, Inspection, Problem};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(ledger_page).post(create_problem))
        .route("/problems/new", get(new_problem_form))
        .route("/problems/{id}", get(problem_page))
        .route("/problems/{id}/actions", post(problem_action))
        .route("/problems/{id}/escalations", post(escalate))
        .route("/proposals/{id}/dismiss", post(dismiss))
        .route("/escalations/{id}/outcome", post(outcome))
        .route("/escalations/{id}/print", get(print_page))
        .route(
            "/inspections",
            get(inspections_page).post(create_inspection),
        )
        .route("/inspections/{id}", get(inspection_page))
        .route("/inspections/{id}/done", post(complete_inspection))
        .route("/spot-checks", get(spot_checks_page).post(draw))
}

// --- Helpers ------------------------------------------------------------------------------------

fn parse_id(f: &impl Fn(WebError) -> PageError, raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| f(WebError::NotFound))
}

fn to_problem(id: i64) -> Response {
    Redirect::to(&format!("/problems/{id}")).into_response()
}

fn trimmed(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// An optional number typed in a form: empty is `None`, anything else must parse.
fn opt_num<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<Option<T>, WebError> {
    trimmed(s)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| WebError::invalid(field, "not_a_number", v))
        })
        .transpose()
}

/// Errors that end a form rather than send it back: not signed in, not allowed, not there.
fn is_access(e: &WebError) -> bool {
    matches!(
        e,
        WebError::Unauthorized | WebError::Forbidden | WebError::NotFound | WebError::NoRoute
    )
}

fn today(state: &AppState) -> i64 {
    sunledger_core::day::today(state.now())
}

fn day(s: &str) -> Option<i64> {
    sunledger_core::day::parse("day", s).ok()
}

/// `2026年11月3日` in Chinese, `2026-11-03` otherwise.
fn long_date(page: &Page, s: &str) -> String {
    let parts: Vec<&str> = s.split('-').collect();
    match (page.lang, parts.as_slice()) {
        (crate::i18n::Lang::Zh, [y, m, d]) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => s.to_string(),
    }
}

/// A catalogue string with `{name}` placeholders filled in.
fn fill(page: &Page, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = page.t(key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Region names, looked up once per page.
struct Names<'a> {
    state: &'a AppState,
    cache: HashMap<RegionCode, String>,
}

impl<'a> Names<'a> {
    fn new(state: &'a AppState) -> Names<'a> {
        Names {
            state,
            cache: HashMap::new(),
        }
    }

    async fn name(&mut self, r: &RegionCode) -> Result<String, WebError> {
        if let Some(n) = self.cache.get(r) {
            return Ok(n.clone());
        }
        let n = self
            .state
            .store
            .region(r)
            .await?
            .map(|x| x.name)
            .unwrap_or_else(|| r.prefix().to_string());
        self.cache.insert(*r, n.clone());
        Ok(n)
    }

    /// "County · township · village" down to `r` (a city is its own name).
    async fn place(&mut self, r: &RegionCode) -> Result<String, WebError> {
        let mut out = Vec::new();
        for c in r.lineage() {
            if c.level() >= Level::County || c == *r {
                out.push(self.name(&c).await?);
            }
        }
        Ok(out.join(" · "))
    }
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

/// Regions to pick from in a form: each region where the caller holds one of `roles`, its
/// children, and the chain and children of the region chosen now (so one can drill down).
async fn region_choices(
    state: &AppState,
    ctx: &Ctx,
    roles: &[Role],
    chosen: Option<&RegionCode>,
) -> Result<Vec<(String, String)>, WebError> {
    let mut names = Names::new(state);
    let mut codes: Vec<RegionCode> = Vec::new();
    let roots: Vec<RegionCode> = ctx
        .actor
        .grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .map(|g| g.region)
        .collect();
    let mut expand = roots.clone();
    if let Some(c) = chosen.filter(|c| roots.iter().any(|r| c.is_within(r))) {
        for a in c.lineage() {
            if roots.iter().any(|r| a.is_within(r)) {
                expand.push(a);
            }
        }
    }
    for r in &expand {
        codes.push(*r);
        if r.level() < Level::Village {
            for c in state.store.region_children(r).await? {
                codes.push(c.code);
                names.cache.insert(c.code, c.name);
            }
        }
    }
    codes.sort();
    codes.dedup();
    let mut out = Vec::new();
    for c in codes {
        let label = format!("{} {}", c.prefix(), names.place(&c).await?);
        out.push((c.prefix().to_string(), label));
    }
    Ok(out)
}

fn holds_any(ctx: &Ctx, roles: &[Role]) -> bool {
    ctx.actor.grants.iter().any(|g| roles.contains(&g.role))
}

// --- Book 3: the ledger -----------------------------------------------------------------------

struct ProblemRow {
    id: i64,
    title: String,
    category: String,
    severity: String,
    state: String,
    department: String,
    person: Option<String>,
    place: String,
    deadline: String,
    amount_fen: i64,
    /// "12 days overdue", "due today", "3 days left" (open problems only).
    due: String,
    /// `overdue`, `due-soon` or empty.
    due_class: &'static str,
}

/// Turns problems into rows with their place and what their deadline means today.
async fn problem_rows(
    state: &AppState,
    page: &Page,
    problems: Vec<Problem>,
) -> Result<Vec<ProblemRow>, WebError> {
    let today = today(state);
    let mut names = Names::new(state);
    let mut rows = Vec::new();
    for p in problems {
        let open = p.state != ProblemState::Closed.key();
        let (due, due_class) = match day(&p.deadline) {
            Some(d) if open && today > d => (
                fill(
                    page,
                    "problem.days_overdue",
                    &[("n", &(today - d).to_string())],
                ),
                "overdue",
            ),
            Some(d) if open && today == d => (page.t("problem.due_today"), "due-soon"),
            Some(d) if open && d - today <= 7 => (
                fill(
                    page,
                    "problem.days_left",
                    &[("n", &(d - today).to_string())],
                ),
                "due-soon",
            ),
            _ => (String::new(), ""),
        };
        rows.push(ProblemRow {
            place: names.place(&p.region).await?,
            id: p.id,
            title: p.title,
            category: p.category,
            severity: p.severity,
            state: p.state,
            department: p.department_name,
            person: p.person_name,
            deadline: p.deadline,
            amount_fen: p.amount_fen,
            due,
            due_class,
        });
    }
    Ok(rows)
}

#[derive(Default)]
struct Summary {
    open: i64,
    overdue: i64,
    due_soon: i64,
}

/// Open, overdue and due-within-7-days counts over the same areas (region, unit, category,
/// inspection) as the list, whatever its state filters.
async fn summary(state: &AppState, ctx: &Ctx, q: &ProblemQuery) -> Result<Summary, WebError> {
    let base = ProblemQuery {
        region: q.region.clone(),
        category: q.category.clone(),
        inspection: q.inspection.clone(),
        department: q.department.clone(),
        ..Default::default()
    };
    let overdue = svw::problems(
        state,
        ctx,
        &ProblemQuery {
            overdue: Some("1".into()),
            ..base.clone()
        },
    )
    .await?
    .total;
    // Open problems come by deadline: read pages until the deadlines pass a week from today.
    let today = today(state);
    let mut open;
    let mut due_soon = 0;
    let mut page_no = 1;
    loop {
        let l = svw::problems(
            state,
            ctx,
            &ProblemQuery {
                open: Some("1".into()),
                page: Some(page_no.to_string()),
                ..base.clone()
            },
        )
        .await?;
        open = l.total;
        let mut past_week = false;
        for p in &l.problems {
            match day(&p.deadline) {
                Some(d) if d > today + 7 => past_week = true,
                Some(d) if d >= today => due_soon += 1,
                _ => {}
            }
        }
        if past_week || l.problems.is_empty() || page_no >= l.pages {
            break;
        }
        page_no += 1;
    }
    Ok(Summary {
        open,
        overdue,
        due_soon,
    })
}

fn problem_query_string(q: &ProblemQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("region", &q.region),
        ("state", &q.state),
        ("category", &q.category),
        ("inspection", &q.inspection),
        ("department", &q.department),
        ("overdue", &q.overdue),
        ("open", &q.open),
    ] {
        if let Some(v) = v.as_deref().and_then(trimmed) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    parts.join("&")
}

#[derive(Template, WebTemplate)]
#[template(path = "problems.html")]
struct LedgerView {
    page: Page,
    rows: Vec<ProblemRow>,
    total: i64,
    page_no: i64,
    pages: i64,
    q: ProblemQuery,
    query_string: String,
    /// The areas of the summary, for its links.
    summary_query: String,
    summary: Summary,
    states: Vec<&'static str>,
    categories: Vec<&'static str>,
    can_record: bool,
    today: String,
}

async fn ledger_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ProblemQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let l = svw::problems(&state, &ctx, &q).await.map_err(&f)?;
    let summary = summary(&state, &ctx, &q).await.map_err(&f)?;
    let rows = problem_rows(&state, &page, l.problems).await.map_err(&f)?;
    Ok(LedgerView {
        page,
        rows,
        total: l.total,
        page_no: l.page,
        pages: l.pages,
        query_string: problem_query_string(&q),
        summary_query: problem_query_string(&ProblemQuery {
            region: q.region.clone(),
            category: q.category.clone(),
            inspection: q.inspection.clone(),
            department: q.department.clone(),
            ..Default::default()
        }),
        q,
        summary,
        states: ProblemState::ALL.iter().map(|s| s.key()).collect(),
        categories: ProblemCategory::ALL.iter().map(|c| c.key()).collect(),
        can_record: holds_any(&ctx, sv::INSPECTORS),
        today: l.today,
    }
    .into_response())
}

// --- Book 3: recording a problem --------------------------------------------------------------

/// The problem form as typed (numbers stay text until sent, so a bad one comes back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ProblemForm {
    region: String,
    inspection_id: String,
    project_id: String,
    review_of: String,
    category: String,
    severity: String,
    title: String,
    description: String,
    department_id: String,
    person_id: String,
    amount: String,
    deadline: String,
}

impl ProblemForm {
    fn input(&self) -> Result<svw::ProblemInput, WebError> {
        Ok(svw::ProblemInput {
            region: self.region.trim().to_string(),
            inspection_id: opt_num("inspection_id", &self.inspection_id)?,
            project_id: opt_num("project_id", &self.project_id)?,
            review_of: opt_num("review_of", &self.review_of)?,
            category: self.category.clone(),
            severity: self.severity.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            department_id: opt_num("department_id", &self.department_id)?
                .ok_or_else(|| WebError::invalid("department_id", "empty", ""))?,
            person_id: opt_num("person_id", &self.person_id)?,
            amount: self.amount.trim().to_string(),
            deadline: self.deadline.clone(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct NewProblemQuery {
    region: String,
    inspection: String,
    project: String,
    review_of: String,
}

struct Unit {
    id: i64,
    name: String,
}

struct UnitGroup {
    place: String,
    units: Vec<Unit>,
}

struct PersonOption {
    id: i64,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "problem_form.html")]
struct ProblemFormView {
    page: Page,
    i: ProblemForm,
    regions: Vec<(String, String)>,
    place: String,
    units: Vec<UnitGroup>,
    people: Vec<PersonOption>,
    inspections: Vec<(i64, String)>,
    review_title: Option<String>,
    categories: Vec<&'static str>,
    severities: Vec<&'static str>,
    error: Option<String>,
}

/// The form for `i`, with the units of `i.region` and the county above it to choose from.
async fn problem_form(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    i: ProblemForm,
    error: Option<String>,
) -> Result<ProblemFormView, WebError> {
    let region = RegionCode::parse(&i.region).ok();
    let regions = region_choices(state, ctx, sv::INSPECTORS, region.as_ref()).await?;
    let mut names = Names::new(state);
    let mut units = Vec::new();
    let mut people = Vec::new();
    let mut inspections = Vec::new();
    let mut place = String::new();
    if let Some(r) = region {
        place = names.place(&r).await?;
        // Units of the region itself and of every level above it up to the county.
        for c in r.lineage().into_iter().rev() {
            if c.level() < Level::County {
                break;
            }
            let mut group = UnitGroup {
                place: names.name(&c).await?,
                units: Vec::new(),
            };
            for d in state.store.departments_in(&c).await? {
                for p in state.store.people_in_department(d.id).await? {
                    people.push(PersonOption {
                        id: p.id,
                        label: format!(
                            "{} · {} · {}",
                            p.name,
                            d.name,
                            page.tp("position.", &p.position)
                        ),
                    });
                }
                group.units.push(Unit {
                    id: d.id,
                    name: d.name,
                });
            }
            if !group.units.is_empty() {
                units.push(group);
            }
        }
        if let Some(county) = r.ancestor_at(Level::County)
            && ctx
                .actor
                .can(sunledger_core::Permission::ViewInternal, &county)
        {
            for x in svw::inspections(
                state,
                ctx,
                &svw::RegionQuery {
                    region: Some(county.prefix().to_string()),
                },
            )
            .await?
            {
                let when = x.done_on.clone().unwrap_or(x.planned_on.clone());
                inspections.push((x.id, format!("{} · {when}", x.title)));
            }
        }
    }
    if let Ok(Some(id)) = opt_num::<i64>("inspection_id", &i.inspection_id)
        && !inspections.iter().any(|x| x.0 == id)
        && let Ok(x) = svw::visible_inspection(state, ctx, id).await
    {
        inspections.push((x.id, x.title));
    }
    let review_title = match opt_num::<i64>("review_of", &i.review_of) {
        Ok(Some(id)) => svw::visible_problem(state, ctx, id)
            .await
            .ok()
            .map(|p| p.title),
        _ => None,
    };
    Ok(ProblemFormView {
        page,
        i,
        regions,
        place,
        units,
        people,
        inspections,
        review_title,
        categories: ProblemCategory::ALL.iter().map(|c| c.key()).collect(),
        severities: Severity::ALL.iter().map(|c| c.key()).collect(),
        error,
    })
}

async fn new_problem_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<NewProblemQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    if !holds_any(&ctx, sv::INSPECTORS) {
        return Err(f(WebError::Forbidden));
    }
    // The region: as asked, else the inspection's, the project's or the reviewed case's, else
    // the caller's first area as an inspector.
    let mut region = trimmed(&q.region).map(str::to_string);
    if region.is_none()
        && let Ok(Some(id)) = opt_num::<i64>("inspection", &q.inspection)
    {
        let x = svw::visible_inspection(&state, &ctx, id)
            .await
            .map_err(&f)?;
        region = Some(x.region.prefix().to_string());
    }
    if region.is_none()
        && let Ok(Some(id)) = opt_num::<i64>("project", &q.project)
    {
        let p = crate::projects::visible(&state, &ctx, id)
            .await
            .map_err(&f)?;
        region = Some(p.region.prefix().to_string());
    }
    if region.is_none()
        && let Ok(Some(id)) = opt_num::<i64>("review_of", &q.review_of)
    {
        let p = svw::visible_problem(&state, &ctx, id).await.map_err(&f)?;
        region = Some(p.region.prefix().to_string());
    }
    let region = region.unwrap_or_else(|| {
        ctx.actor
            .grants
            .iter()
            .find(|g| sv::INSPECTORS.contains(&g.role))
            .map(|g| g.region.prefix().to_string())
            .unwrap_or_default()
    });
    let deadline = sunledger_core::day::format(today(&state) + 30);
    let i = ProblemForm {
        region,
        inspection_id: q.inspection.trim().to_string(),
        project_id: q.project.trim().to_string(),
        review_of: q.review_of.trim().to_string(),
        category: ProblemCategory::FundManagement.key().into(),
        severity: Severity::General.key().into(),
        deadline,
        ..Default::default()
    };
    let v = problem_form(&state, &ctx, Page::new(&ctx, &uri), i, None)
        .await
        .map_err(&f)?;
    Ok(v.into_response())
}

async fn create_problem(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<ProblemForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let r = match x.input() {
        Ok(i) => svw::create_problem(&state, &ctx, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(p) => Ok(to_problem(p.id)),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let mut page = Page::new(&ctx, &uri);
            page.path = "/problems/new".into();
            let msg = e.message(page.lang);
            let v = problem_form(&state, &ctx, page, x, Some(msg))
                .await
                .map_err(&f)?;
            Ok((e.status(), v).into_response())
        }
    }
}

// --- Book 3: one problem ----------------------------------------------------------------------

/// The escalation form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EscalationForm {
    step: String,
    document_no: String,
    issuing_unit: String,
    content: String,
    attendees: String,
    new_deadline: String,
    responsible_person: String,
    deduction_points: String,
    proposal_id: String,
}

impl EscalationForm {
    fn input(&self) -> Result<svw::EscalationInput, WebError> {
        Ok(svw::EscalationInput {
            step: self.step.trim().to_string(),
            document_no: self.document_no.clone(),
            issuing_unit: self.issuing_unit.clone(),
            content: self.content.clone(),
            attendees: self.attendees.clone(),
            new_deadline: trimmed(&self.new_deadline).map(str::to_string),
            responsible_person: self.responsible_person.clone(),
            deduction_points: opt_num("deduction_points", &self.deduction_points)?,
            proposal_id: opt_num("proposal_id", &self.proposal_id)?,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    action: String,
    text: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct TextForm {
    reason: String,
    outcome: String,
}

/// What a refused form sent, to show again with the reason.
#[derive(Default)]
struct Kept {
    error: Option<WebError>,
    action: Option<ActionForm>,
    escalation: Option<EscalationForm>,
    /// (escalation id, outcome typed)
    outcome: Option<(i64, String)>,
    /// (proposal id, reason typed)
    dismiss: Option<(i64, String)>,
}

struct Event {
    at: i64,
    what: String,
    detail: String,
    who: String,
}

struct StepRow {
    e: Escalation,
    can_outcome: bool,
    outcome_typed: String,
}

struct ProposalRow {
    id: i64,
    /// `confirmed` or `dismissed` once decided.
    decision: Option<String>,
    reason: String,
    step: String,
    proposed_on: String,
    can_decide: bool,
    reason_typed: String,
}

/// A lifecycle button: the action, and the label of its text field when it needs one.
struct ActionButton {
    key: &'static str,
    text_label: Option<String>,
    text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "problem.html")]
struct ProblemPage {
    page: Page,
    p: Problem,
    place: String,
    overdue_days: i64,
    actions: Vec<ActionButton>,
    steps: Vec<&'static str>,
    esc: EscalationForm,
    /// The step of a proposal being confirmed.
    confirming: Option<String>,
    escalations: Vec<StepRow>,
    proposals: Vec<ProposalRow>,
    /// Steps the rules make due today, and whether the caller may take each.
    due: Vec<(String, bool)>,
    events: Vec<Event>,
    inspection: Option<(i64, String)>,
    review_of: Option<(i64, String)>,
    can_record: bool,
    today: String,
    error: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ProblemPageQuery {
    /// Confirm this proposal: the escalation form comes prefilled with its step.
    proposal: String,
    /// Preselect this step in the escalation form.
    step: String,
}

/// The unit an inspector of `region` issues documents as: their own department, by role.
async fn issuing_unit(state: &AppState, ctx: &Ctx, region: &RegionCode) -> String {
    for g in &ctx.actor.grants {
        if !g.covers(region) {
            continue;
        }
        let kind = match g.role {
            Role::Discipline => DepartmentKind::DisciplineCommission,
            Role::PovertyBureau | Role::MunicipalBureau => DepartmentKind::PovertyBureau,
            Role::Finance => DepartmentKind::FinanceBureau,
            _ => continue,
        };
        if let Ok(ds) = state.store.departments_in(&g.region).await
            && let Some(d) = ds.into_iter().find(|d| d.kind == kind.key())
        {
            return d.name;
        }
    }
    String::new()
}

async fn render_problem(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    q: ProblemPageQuery,
    kept: Kept,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let v = svw::view(state, ctx, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/problems/{id}");
    let status = kept
        .error
        .as_ref()
        .map(|e| e.status())
        .unwrap_or(StatusCode::OK);
    let error = kept.error.as_ref().map(|e| e.message(page.lang));
    let p = v.record.problem.clone();
    let region = p.region;
    let has = |roles: &[Role]| ctx.actor.has_role(roles, &region);
    let pstate = ProblemState::parse(&p.state).map_err(|e| f(e.into()))?;
    let category = ProblemCategory::parse(&p.category).map_err(|e| f(e.into()))?;

    let actions = ProblemAction::ALL
        .iter()
        .filter(|a| has(a.roles()) && pstate.next(**a).is_ok())
        .map(|a| ActionButton {
            key: a.key(),
            text_label: a.needs_text().then(|| page.tp("problem.text.", a.key())),
            text: kept
                .action
                .as_ref()
                .filter(|k| k.action == a.key())
                .map(|k| k.text.clone())
                .unwrap_or_default(),
        })
        .collect();

    let taken: Vec<Step> = v
        .record
        .escalations
        .iter()
        .filter_map(|e| Step::parse(&e.step).ok())
        .collect();
    let steps: Vec<&'static str> = if pstate.is_open() {
        Step::ALL
            .iter()
            .filter(|s| has(s.roles()) && s.allowed_after(&taken, category).is_ok())
            .map(|s| s.key())
            .collect()
    } else {
        Vec::new()
    };

    // The escalation form: as sent, or prefilled for a proposal or a step asked for.
    let mut confirming = None;
    let esc = match kept.escalation {
        Some(e) => {
            if trimmed(&e.proposal_id).is_some() {
                confirming = Some(e.step.clone());
            }
            e
        }
        None => {
            let mut e = EscalationForm {
                issuing_unit: issuing_unit(state, ctx, &region).await,
                responsible_person: p.person_name.clone().unwrap_or_default(),
                step: steps
                    .iter()
                    .find(|s| v.due.iter().any(|d| d == **s))
                    .or(steps.first())
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                ..Default::default()
            };
            if let Some(pr) = trimmed(&q.proposal)
                .and_then(|x| x.parse::<i64>().ok())
                .and_then(|pid| {
                    v.record
                        .proposals
                        .iter()
                        .find(|x| x.id == pid && x.decision.is_none())
                })
            {
                e.step = pr.step.clone();
                e.proposal_id = pr.id.to_string();
                confirming = Some(pr.step.clone());
            } else if let Some(s) = trimmed(&q.step).filter(|s| steps.iter().any(|x| x == s)) {
                e.step = s.to_string();
            }
            e
        }
    };

    let escalations = v
        .record
        .escalations
        .iter()
        .map(|e| {
            let step = Step::parse(&e.step).ok();
            StepRow {
                can_outcome: e.outcome.is_none()
                    && step.is_some_and(|s| s.is_referral() && has(s.roles())),
                outcome_typed: kept
                    .outcome
                    .as_ref()
                    .filter(|(i, _)| *i == e.id)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
                e: e.clone(),
            }
        })
        .collect();
    let proposals = v
        .record
        .proposals
        .iter()
        .map(|x| ProposalRow {
            id: x.id,
            decision: x.decision.clone(),
            reason: x.reason.clone().unwrap_or_default(),
            can_decide: x.decision.is_none()
                && pstate.is_open()
                && Step::parse(&x.step).is_ok_and(|s| has(s.roles()))
                && steps.iter().any(|s| *s == x.step),
            step: x.step.clone(),
            proposed_on: x.proposed_on.clone(),
            reason_typed: kept
                .dismiss
                .as_ref()
                .filter(|(i, _)| *i == x.id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        })
        .collect();

    // The history: recording, lifecycle steps, escalation steps, decided proposals, outcomes.
    let mut users = HashMap::new();
    let mut events = vec![Event {
        at: p.created_at,
        what: page.t("problem.recorded"),
        detail: String::new(),
        who: user_name(state, &mut users, p.created_by)
            .await
            .map_err(&f)?,
    }];
    for e in &v.record.events {
        events.push(Event {
            at: e.at,
            what: format!(
                "{} · {} → {}",
                page.tp("problem.action.", &e.action),
                page.tp("problem.state.", &e.from_state),
                page.tp("problem.state.", &e.to_state)
            ),
            detail: e.text.clone(),
            who: user_name(state, &mut users, e.actor_id).await.map_err(&f)?,
        });
    }
    for e in &v.record.escalations {
        events.push(Event {
            at: e.at,
            what: format!("{} · {}", page.tp("step.", &e.step), e.document_no),
            detail: e
                .new_deadline
                .as_ref()
                .map(|d| format!("{} {d}", page.t("problem.new_deadline")))
                .unwrap_or_default(),
            who: user_name(state, &mut users, e.actor_id).await.map_err(&f)?,
        });
        if let (Some(o), Some(at)) = (&e.outcome, e.outcome_at) {
            events.push(Event {
                at,
                what: format!(
                    "{} · {}",
                    page.t("problem.outcome"),
                    page.tp("step.", &e.step)
                ),
                detail: o.clone(),
                who: String::new(),
            });
        }
    }
    events.sort_by_key(|e| e.at);

    let inspection = match p.inspection_id {
        Some(iid) => Some((
            iid,
            svw::visible_inspection(state, ctx, iid)
                .await
                .map(|x| x.title)
                .unwrap_or_else(|_| format!("#{iid}")),
        )),
        None => None,
    };
    let review_of = match p.review_of {
        Some(rid) => Some((
            rid,
            svw::visible_problem(state, ctx, rid)
                .await
                .map(|x| x.title)
                .unwrap_or_else(|_| format!("#{rid}")),
        )),
        None => None,
    };
    let place = Names::new(state).place(&region).await.map_err(&f)?;
    let due = v
        .due
        .iter()
        .map(|d| (d.clone(), steps.contains(&d.as_str())))
        .collect();
    Ok((
        status,
        ProblemPage {
            place,
            overdue_days: v.overdue_days,
            actions,
            steps,
            esc,
            confirming,
            escalations,
            proposals,
            due,
            events,
            inspection,
            review_of,
            can_record: has(sv::INSPECTORS),
            today: v.today.clone(),
            error,
            p,
            page,
        },
    )
        .into_response())
}

async fn problem_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Query(q): Query<ProblemPageQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render_problem(&state, &ctx, &uri, id, q, Kept::default()).await
}

async fn problem_action(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ActionForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = svw::problem_action(
        &state,
        &ctx,
        id,
        &svw::ProblemActionInput {
            action: x.action.clone(),
            text: x.text.clone(),
        },
    )
    .await;
    match r {
        Ok(_) => Ok(to_problem(id)),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let kept = Kept {
                error: Some(e),
                action: Some(x),
                ..Default::default()
            };
            render_problem(&state, &ctx, &uri, id, ProblemPageQuery::default(), kept).await
        }
    }
}

async fn escalate(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<EscalationForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = match x.input() {
        Ok(i) => svw::escalate(&state, &ctx, id, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(e) => Ok(Redirect::to(&format!("/problems/{id}#step-{}", e.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let kept = Kept {
                error: Some(e),
                escalation: Some(x),
                ..Default::default()
            };
            render_problem(&state, &ctx, &uri, id, ProblemPageQuery::default(), kept).await
        }
    }
}

async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<TextForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let pid = parse_id(&f, &raw)?;
    let r = svw::dismiss(
        &state,
        &ctx,
        pid,
        &svw::DismissInput {
            reason: x.reason.clone(),
        },
    )
    .await;
    match r {
        Ok(pr) => Ok(to_problem(pr.problem_id)),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let problem_id = state
                .store
                .proposal(pid)
                .await
                .map_err(|e| f(e.into()))?
                .ok_or_else(|| f(WebError::NotFound))?
                .problem_id;
            let kept = Kept {
                error: Some(e),
                dismiss: Some((pid, x.reason)),
                ..Default::default()
            };
            render_problem(
                &state,
                &ctx,
                &uri,
                problem_id,
                ProblemPageQuery::default(),
                kept,
            )
            .await
        }
    }
}

async fn outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<TextForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let eid = parse_id(&f, &raw)?;
    let r = svw::outcome(
        &state,
        &ctx,
        eid,
        &svw::OutcomeInput {
            outcome: x.outcome.clone(),
        },
    )
    .await;
    match r {
        Ok(e) => {
            Ok(Redirect::to(&format!("/problems/{}#step-{eid}", e.problem_id)).into_response())
        }
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let (esc, _) = svw::visible_escalation(&state, &ctx, eid)
                .await
                .map_err(&f)?;
            let kept = Kept {
                error: Some(e),
                outcome: Some((eid, x.outcome)),
                ..Default::default()
            };
            render_problem(
                &state,
                &ctx,
                &uri,
                esc.problem_id,
                ProblemPageQuery::default(),
                kept,
            )
            .await
        }
    }
}

// --- Printable documents ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "escalation_print.html")]
struct PrintView {
    page: Page,
    e: Escalation,
    p: Problem,
    title: String,
    intro: String,
    /// The closing sentence: the deadline to meet, the suspension, the referral.
    closing: String,
    deadline: String,
    /// How late the document came, when the deadline had passed.
    late: String,
    /// The first deadline differs from the one in force.
    show_first: bool,
    date: String,
    inspection: Option<Inspection>,
    interview: bool,
    addressed: bool,
}

async fn print_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let (e, p) = svw::visible_escalation(&state, &ctx, id)
        .await
        .map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let step = Step::parse(&e.step).map_err(|x| f(x.into()))?;
    // The deadline in force when the document was issued: the one it set, else the latest an
    // earlier interview set, else the first.
    let record = state
        .store
        .problem_record(p.id)
        .await
        .map_err(|x| f(x.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let deadline = e.new_deadline.clone().unwrap_or_else(|| {
        record
            .escalations
            .iter()
            .filter(|x| x.id < e.id)
            .filter_map(|x| x.new_deadline.clone())
            .next_back()
            .unwrap_or_else(|| p.first_deadline.clone())
    });
    let inspection = match p.inspection_id {
        Some(iid) => svw::visible_inspection(&state, &ctx, iid).await.ok(),
        None => None,
    };
    let kind = if step.is_letter() {
        "letter"
    } else if step.is_interview() {
        "interview"
    } else if step.is_referral() {
        "referral"
    } else if step == Step::SuspendPayment {
        "suspension"
    } else {
        "criticism"
    };
    // A letter sent after the deadline says by how much it was missed.
    let late = match (day(&deadline), day(&e.on_date)) {
        (Some(d), Some(on)) if on > d && !step.is_interview() => fill(
            &page,
            "letter.overdue_note",
            &[("n", &(on - d).to_string())],
        ),
        _ => String::new(),
    };
    let show_first = deadline != p.first_deadline;
    let deadline_long = long_date(&page, &deadline);
    let points = e.deduction_points.unwrap_or(0).to_string();
    let args = [
        ("unit", e.issuing_unit.as_str()),
        ("addressee", p.department_name.as_str()),
        ("points", points.as_str()),
    ];
    Ok(PrintView {
        title: page.tp("letter.title.", step.key()),
        intro: fill(&page, &format!("letter.intro.{kind}"), &args),
        closing: fill(&page, &format!("letter.closing.{kind}"), &args),
        deadline: deadline_long,
        late,
        show_first,
        date: long_date(&page, &e.on_date),
        interview: step.is_interview(),
        addressed: step.is_letter() || step == Step::SuspendPayment,
        inspection,
        e,
        p,
        page,
    }
    .into_response())
}

// --- Inspections ------------------------------------------------------------------------------

struct Target {
    text: String,
    href: Option<String>,
}

struct InspectionRow {
    id: i64,
    title: String,
    kind: String,
    place: String,
    team: String,
    lead: String,
    planned_on: String,
    done_on: Option<String>,
    findings: Option<String>,
    targets: Vec<Target>,
    draw_id: Option<i64>,
}

fn targets(page: &Page, s: &str) -> Vec<Target> {
    s.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once(':') {
            Some(("project", id)) => Target {
                text: format!("{} {id}", page.t("inspection.target.project")),
                href: Some(format!("/projects/{}", urlencode(id.trim()))),
            },
            Some(("region", code)) => Target {
                text: format!("{} {code}", page.t("inspection.target.region")),
                href: Some(format!("/regions/{}", urlencode(code.trim()))),
            },
            Some(("household", id)) => Target {
                text: format!("{} {id}", page.t("inspection.target.household")),
                href: None,
            },
            _ => Target {
                text: t.to_string(),
                href: None,
            },
        })
        .collect()
}

async fn inspection_row(
    page: &Page,
    names: &mut Names<'_>,
    i: Inspection,
) -> Result<InspectionRow, WebError> {
    Ok(InspectionRow {
        place: names.place(&i.region).await?,
        lead: i
            .lead_departments
            .iter()
            .map(|k| page.tp("dept.kind.", k))
            .collect::<Vec<_>>()
            .join("、"),
        targets: targets(page, &i.targets),
        id: i.id,
        title: i.title,
        kind: i.kind,
        team: i.team,
        planned_on: i.planned_on,
        done_on: i.done_on,
        findings: i.findings,
        draw_id: i.draw_id,
    })
}

struct CoverageCellView {
    n: u32,
    /// `ok`, `behind` or `not-yet`.
    class: &'static str,
    note: String,
}

struct CoverageRow {
    county: String,
    name: String,
    cells: Vec<CoverageCellView>,
}

/// The inspection form as typed.
#[derive(Debug, Clone, Default)]
struct InspectionForm {
    region: String,
    kind: String,
    title: String,
    team: String,
    lead_departments: Vec<String>,
    targets: String,
    planned_on: String,
    draw_id: String,
    done_on: String,
    findings: String,
}

impl InspectionForm {
    fn from_pairs(x: &[(String, String)]) -> InspectionForm {
        let get = |k: &str| {
            x.iter()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        InspectionForm {
            region: get("region"),
            kind: get("kind"),
            title: get("title"),
            team: get("team"),
            lead_departments: x
                .iter()
                .filter(|(a, _)| a == "lead_departments")
                .map(|(_, v)| v.clone())
                .collect(),
            targets: get("targets"),
            planned_on: get("planned_on"),
            draw_id: get("draw_id"),
            done_on: get("done_on"),
            findings: get("findings"),
        }
    }
    fn input(&self) -> Result<svw::InspectionInput, WebError> {
        Ok(svw::InspectionInput {
            region: self.region.trim().to_string(),
            kind: self.kind.trim().to_string(),
            title: self.title.clone(),
            team: self.team.clone(),
            lead_departments: self.lead_departments.clone(),
            targets: self.targets.clone(),
            planned_on: self.planned_on.clone(),
            draw_id: opt_num("draw_id", &self.draw_id)?,
            done_on: trimmed(&self.done_on).map(str::to_string),
            findings: trimmed(&self.findings).map(str::to_string),
        })
    }
    fn leads(&self, k: &&str) -> bool {
        self.lead_departments.iter().any(|x| x == *k)
    }
}

/// The lead departments an inspection can have.
const LEADS: [&str; 3] = ["discipline_commission", "poverty_bureau", "finance_bureau"];

#[derive(Template, WebTemplate)]
#[template(path = "inspections.html")]
struct InspectionsView {
    page: Page,
    rows: Vec<InspectionRow>,
    quarters: Vec<String>,
    coverage: Vec<CoverageRow>,
    region: String,
    query_string: String,
    can_record: bool,
    can_draw: bool,
    i: InspectionForm,
    regions: Vec<(String, String)>,
    draws: Vec<(i64, String)>,
    kinds: Vec<&'static str>,
    leads: Vec<&'static str>,
    error: Option<String>,
}

async fn render_inspections(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    q: svw::RegionQuery,
    form: Option<InspectionForm>,
    error: Option<WebError>,
) -> Result<Response, WebError> {
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let error = error.map(|e| e.message(page.lang));
    let mut names = Names::new(state);
    let mut rows = Vec::new();
    for i in svw::inspections(state, ctx, &q).await? {
        rows.push(inspection_row(&page, &mut names, i).await?);
    }
    let cov = svw::coverage(state, ctx, &q).await?;
    let quarters = cov
        .first()
        .map(|c| c.quarters.iter().map(|x| x.quarter.label()).collect())
        .unwrap_or_default();
    let coverage = cov
        .into_iter()
        .map(|c| CoverageRow {
            county: c.county,
            name: c.name,
            cells: c
                .quarters
                .iter()
                .map(|x| {
                    let (class, note) = match (x.behind, x.current) {
                        (false, _) => ("ok", String::new()),
                        (true, true) => ("not-yet", page.t("inspection.not_yet")),
                        (true, false) => ("behind", page.t("inspection.behind")),
                    };
                    CoverageCellView {
                        n: x.inspections,
                        class,
                        note,
                    }
                })
                .collect(),
        })
        .collect();
    let can_record = holds_any(ctx, sv::INSPECTORS);
    let mut draws = Vec::new();
    if can_record {
        for d in svw::draws(state, ctx, &svw::RegionQuery::default()).await? {
            draws.push((d.id, format!("{} · {}", d.round, d.seed)));
        }
    }
    let first_role = ctx
        .actor
        .grants
        .iter()
        .find(|g| sv::INSPECTORS.contains(&g.role));
    let i = form.unwrap_or_else(|| InspectionForm {
        region: first_role
            .map(|g| g.region.prefix().to_string())
            .unwrap_or_default(),
        kind: "routine".into(),
        lead_departments: first_role
            .map(|g| match g.role {
                Role::Discipline => "discipline_commission",
                Role::Finance => "finance_bureau",
                _ => "poverty_bureau",
            })
            .into_iter()
            .map(str::to_string)
            .collect(),
        planned_on: sunledger_core::day::format(today(state)),
        ..Default::default()
    });
    let chosen = RegionCode::parse(&i.region).ok();
    let regions = if can_record {
        region_choices(state, ctx, sv::INSPECTORS, chosen.as_ref()).await?
    } else {
        Vec::new()
    };
    let region = q.region.clone().unwrap_or_default();
    let query_string = trimmed(&region)
        .map(|r| format!("region={}", urlencode(r)))
        .unwrap_or_default();
    Ok((
        status,
        InspectionsView {
            page,
            rows,
            quarters,
            coverage,
            region,
            query_string,
            can_record,
            can_draw: holds_any(ctx, sv::SAMPLERS),
            i,
            regions,
            draws,
            kinds: vec!["routine", "spot_check"],
            leads: LEADS.to_vec(),
            error,
        },
    )
        .into_response())
}

async fn inspections_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<svw::RegionQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    render_inspections(&state, &ctx, Page::new(&ctx, &uri), q, None, None)
        .await
        .map_err(&f)
}

async fn create_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let form = InspectionForm::from_pairs(&x);
    let r = match form.input() {
        Ok(i) => svw::create_inspection(&state, &ctx, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(i) => Ok(Redirect::to(&format!("/inspections/{}", i.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_inspections(
            &state,
            &ctx,
            Page::new(&ctx, &uri),
            svw::RegionQuery::default(),
            Some(form),
            Some(e),
        )
        .await
        .map_err(&f),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection.html")]
struct InspectionView {
    page: Page,
    i: InspectionRow,
    region_code: String,
    problems: Vec<ProblemRow>,
    can_record: bool,
    done_on: String,
    findings: String,
    error: Option<String>,
}

async fn render_inspection(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: Option<svw::DoneInput>,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let x = svw::visible_inspection(state, ctx, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/inspections/{id}");
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let error = error.map(|e| e.message(page.lang));
    let problems = svw::all_problems(
        state,
        ctx,
        &ProblemQuery {
            inspection: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await
    .map_err(&f)?;
    let problems = problem_rows(state, &page, problems).await.map_err(&f)?;
    let can_record = ctx.actor.has_role(sv::INSPECTORS, &x.region);
    let region_code = x.region.prefix().to_string();
    let (done_on, findings) = match typed {
        Some(t) => (t.done_on, t.findings),
        None => (sunledger_core::day::format(today(state)), String::new()),
    };
    let i = inspection_row(&page, &mut Names::new(state), x)
        .await
        .map_err(&f)?;
    Ok((
        status,
        InspectionView {
            page,
            i,
            region_code,
            problems,
            can_record,
            done_on,
            findings,
            error,
        },
    )
        .into_response())
}

async fn inspection_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render_inspection(&state, &ctx, &uri, id, None, None).await
}

async fn complete_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<svw::DoneInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match svw::complete_inspection(&state, &ctx, id, &x).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_inspection(&state, &ctx, &uri, id, Some(x), Some(e)).await,
    }
}

// --- Spot checks ------------------------------------------------------------------------------

struct SampledVillageView {
    code: String,
    name: String,
    poor: Vec<String>,
    non_poor: Vec<String>,
}

struct SampledCountyView {
    code: String,
    name: String,
    villages: Vec<SampledVillageView>,
}

struct DrawView {
    id: i64,
    place: String,
    round: String,
    seed: String,
    rules: String,
    at: i64,
    who: String,
    counties: Vec<SampledCountyView>,
    households: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct DrawForm {
    region: String,
    round: String,
    seed: String,
    villages_per_county: String,
    poor_per_village: String,
    non_poor_per_village: String,
}

impl DrawForm {
    fn input(&self) -> Result<svw::DrawInput, WebError> {
        Ok(svw::DrawInput {
            region: self.region.trim().to_string(),
            round: self.round.trim().to_string(),
            seed: self.seed.clone(),
            villages_per_county: opt_num("villages_per_county", &self.villages_per_county)?,
            poor_per_village: opt_num("households", &self.poor_per_village)?,
            non_poor_per_village: opt_num("households", &self.non_poor_per_village)?,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "spot_checks.html")]
struct SpotChecksView {
    page: Page,
    draws: Vec<DrawView>,
    can_draw: bool,
    regions: Vec<(String, String)>,
    d: DrawForm,
    error: Option<String>,
}

async fn render_spot_checks(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    form: Option<DrawForm>,
    error: Option<WebError>,
) -> Result<Response, WebError> {
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let error = error.map(|e| e.message(page.lang));
    let mut names = Names::new(state);
    let mut users = HashMap::new();
    let mut draws = Vec::new();
    for d in svw::draws(state, ctx, &svw::RegionQuery::default()).await? {
        let mut counties: Vec<SampledCountyView> = Vec::new();
        let mut households = 0;
        for v in d.sample {
            households += v.poor.len() + v.non_poor.len();
            let village = RegionCode::parse(&v.village)?;
            let county = RegionCode::parse(&v.county)?;
            let view = SampledVillageView {
                code: village.prefix().to_string(),
                name: names.name(&village).await?,
                poor: v.poor,
                non_poor: v.non_poor,
            };
            match counties.last_mut() {
                Some(c) if c.code == county.prefix() => c.villages.push(view),
                _ => counties.push(SampledCountyView {
                    code: county.prefix().to_string(),
                    name: names.name(&county).await?,
                    villages: vec![view],
                }),
            }
        }
        draws.push(DrawView {
            id: d.id,
            place: names.name(&d.region).await?,
            round: d.round,
            seed: d.seed,
            rules: d.rules,
            at: d.created_at,
            who: user_name(state, &mut users, d.created_by).await?,
            counties,
            households,
        });
    }
    let can_draw = holds_any(ctx, sv::SAMPLERS);
    let rules = SampleRules::default();
    let d = form.unwrap_or_else(|| DrawForm {
        region: ctx
            .actor
            .grants
            .iter()
            .find(|g| sv::SAMPLERS.contains(&g.role))
            .map(|g| g.region.prefix().to_string())
            .unwrap_or_default(),
        round: sunledger_core::day::format(today(state))
            .get(..7)
            .unwrap_or_default()
            .to_string(),
        villages_per_county: rules.villages_per_county.to_string(),
        poor_per_village: rules.poor_per_village.to_string(),
        non_poor_per_village: rules.non_poor_per_village.to_string(),
        ..Default::default()
    });
    let mut regions = Vec::new();
    for g in ctx
        .actor
        .grants
        .iter()
        .filter(|g| sv::SAMPLERS.contains(&g.role) && g.region.level() <= Level::City)
    {
        regions.push((g.region.prefix().to_string(), names.name(&g.region).await?));
    }
    Ok((
        status,
        SpotChecksView {
            page,
            draws,
            can_draw,
            regions,
            d,
            error,
        },
    )
        .into_response())
}

async fn spot_checks_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    render_spot_checks(&state, &ctx, Page::new(&ctx, &uri), None, None)
        .await
        .map_err(&f)
}

async fn draw(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<DrawForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let r = match x.input() {
        Ok(i) => svw::draw(&state, &ctx, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => Ok(Redirect::to(&format!("/spot-checks#draw-{}", d.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_spot_checks(&state, &ctx, Page::new(&ctx, &uri), Some(x), Some(e))
            .await
            .map_err(&f),
    }
}
