//! Book 4's pages: the ledger of acceptances, the application form, one acceptance with the step
//! its reader may take, and the A4 report with every signature line.
use crate::AppState;
use crate::acceptance::ops;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{Names, RegionFilter, is_access, parse_id, region_filter, trimmed};
use crate::app::page::{Page, PageResult, Pager, fail, urlencode};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::acceptance::{AcceptanceState, Band, CHECKS, Grade};
use sunledger_core::project::Category;
use sunledger_store::{Acceptance, AcceptanceRecord, Notice, NoticeFilter, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/acceptances", get(ledger).post(apply))
        .route("/acceptances/new", get(new_form))
        .route("/acceptances/book", get(book_page))
        .route("/acceptances/implemented", get(implemented_page))
        .route("/acceptances/{id}", get(acceptance_page))
        .route("/acceptances/{id}/print", get(print))
        .route("/acceptances/{id}/steps", post(step))
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/ledger.html")]
struct Ledger {
    page: Page,
    rows: Vec<Acceptance>,
    pager: Pager,
    q: ops::AcceptanceQuery,
    query_string: String,
    states: Vec<&'static str>,
    grades: Vec<&'static str>,
    today: String,
}

async fn ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::AcceptanceQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let l = ops::list(&state, &ctx, &q).await.map_err(&f)?;
    let query_string = uri.query().unwrap_or("").to_string();
    Ok(Ledger {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/acceptances", &query_string, l.page, ops::PAGE, l.total),
        rows: l.acceptances,
        q,
        query_string,
        states: AcceptanceState::ALL.iter().map(|s| s.key()).collect(),
        grades: Grade::ALL.iter().map(|g| g.key()).collect(),
        today: l.today,
    }
    .into_response())
}

// --- Book 4 itself and the database of implemented projects ----------------------------------

/// The filters as a query string (without the page), for the pager and the downloads.
fn book_query_string(q: &ops::Book4Query) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("region", &q.region),
        ("fiscal_year", &q.fiscal_year),
        ("category", &q.category),
        ("grade", &q.grade),
        ("state", &q.state),
        ("band", &q.band),
    ] {
        if let Some(v) = v.as_deref().and_then(trimmed) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    parts.join("&")
}

/// A row of Book 4 as the page shows it: names, not codes.
struct BookRow {
    r: sunledger_store::Book4Row,
    place: String,
    team: String,
    /// Each evaluation year's score with its band, or where it stands.
    evaluations: Vec<String>,
    /// The latest reviewed evaluation: its year, score and band.
    latest: Option<(i64, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/book.html")]
struct BookView {
    page: Page,
    /// The database of implemented projects rather than Book 4 itself.
    implemented: bool,
    /// This page's path.
    base: &'static str,
    eval_years: Vec<String>,
    rows: Vec<BookRow>,
    pager: Pager,
    q: ops::Book4Query,
    query_string: String,
    region: RegionFilter,
    years: Vec<i64>,
    categories: Vec<&'static str>,
    states: Vec<&'static str>,
    grades: Vec<&'static str>,
    bands: Vec<&'static str>,
}

async fn book_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::Book4Query>,
) -> PageResult {
    book_view(state, ctx, uri, q, false).await
}

async fn implemented_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::Book4Query>,
) -> PageResult {
    book_view(state, ctx, uri, q, true).await
}

async fn book_view(
    state: AppState,
    ctx: Ctx,
    uri: Uri,
    q: ops::Book4Query,
    implemented: bool,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let mut q = q;
    let region = region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let mut b = ops::book(&state, &ctx, &q, implemented).await.map_err(&f)?;
    if region.error.is_some() {
        b.rows.clear();
        b.total = 0;
    }
    let mut names = Names::new(&state);
    let mut rows = Vec::new();
    for r in b.rows {
        let evaluations = super::export::EVALUATION_YEARS
            .iter()
            .map(|y| super::export::evaluation_text(ctx.lang, r.evaluation(*y), &b.today))
            .collect();
        let latest = r.latest_reviewed().map(|e| {
            (
                e.year,
                e.total.map(super::export::score_text).unwrap_or_default(),
                e.band
                    .as_deref()
                    .map(|k| page.tp("acceptance.band.", k))
                    .unwrap_or_default(),
            )
        });
        rows.push(BookRow {
            place: names.place(&r.region).await.map_err(&f)?,
            team: super::export::team_text(&r),
            evaluations,
            latest,
            r,
        });
    }
    let query_string = book_query_string(&q);
    let base = if implemented {
        "/acceptances/implemented"
    } else {
        "/acceptances/book"
    };
    let this_year = sunledger_core::day::today_text(state.now())
        .get(..4)
        .and_then(|y| y.parse::<i64>().ok())
        .unwrap_or(2026);
    Ok(BookView {
        pager: Pager::new(base, &query_string, b.page, ops::PAGE, b.total),
        page,
        implemented,
        base,
        eval_years: super::export::EVALUATION_YEARS
            .iter()
            .map(|y| y.to_string())
            .collect(),
        rows,
        q,
        query_string,
        region,
        years: (this_year - 5..=this_year).rev().collect(),
        categories: Category::ALL.iter().map(|c| c.key()).collect(),
        states: AcceptanceState::ALL.iter().map(|s| s.key()).collect(),
        grades: Grade::ALL.iter().map(|g| g.key()).collect(),
        bands: Band::ALL.iter().map(|b| b.key()).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/new.html")]
struct NewPage {
    page: Page,
    project_id: String,
    project_name: String,
    application: String,
    error: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    project_id: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    render_new(&state, &ctx, &uri, &q.project_id, "", None).await
}

async fn render_new(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    project_id: &str,
    application: &str,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let mut project_name = String::new();
    if let Ok(pid) = project_id.trim().parse::<i64>()
        && let Some(p) = state.store.project(pid).await.map_err(|e| f(e.into()))?
        && ctx
            .actor
            .can(sunledger_core::Permission::ViewInternal, &p.region)
    {
        project_name = p.name;
    }
    Ok(NewPage {
        page: Page::new(ctx, uri),
        project_id: project_id.trim().to_string(),
        project_name,
        application: application.to_string(),
        error: error.map(|e| e.message(ctx.lang)),
    }
    .into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ApplyForm {
    project_id: String,
    application: String,
}

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<ApplyForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let r = match x.project_id.trim().parse::<i64>() {
        Ok(pid) => {
            ops::apply(
                &state,
                &ctx,
                &ops::ApplicationInput {
                    project_id: pid,
                    application: x.application.clone(),
                },
            )
            .await
        }
        Err(_) => Err(WebError::invalid("project_id", "malformed", &x.project_id)),
    };
    match r {
        Ok(a) => Ok(Redirect::to(&format!("/acceptances/{}", a.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_new(&state, &ctx, &uri, &x.project_id, &x.application, Some(e)).await,
    }
}

/// The step form as typed (kept when refused).
#[derive(Debug, Clone, Default)]
struct StepForm {
    step: String,
    comment: String,
    members: Vec<String>,
    inspected_on: String,
    passed: Vec<String>,
    grade: String,
    findings: String,
    deadline: String,
    opinion: String,
    reason: String,
    notice_id: String,
}

impl StepForm {
    fn has_member(&self, id: &i64) -> bool {
        self.members.iter().any(|m| m.trim() == id.to_string())
    }
    fn has_check(&self, c: &str) -> bool {
        self.passed.iter().any(|p| p.trim() == c)
    }
    /// The form's fields; `members` and `passed` repeat (checkboxes).
    fn from_pairs(pairs: Vec<(String, String)>) -> StepForm {
        let mut x = StepForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "step" => x.step = v,
                "comment" => x.comment = v,
                "members" => x.members.push(v),
                "inspected_on" => x.inspected_on = v,
                "passed" => x.passed.push(v),
                "grade" => x.grade = v,
                "findings" => x.findings = v,
                "deadline" => x.deadline = v,
                "opinion" => x.opinion = v,
                "reason" => x.reason = v,
                "notice_id" => x.notice_id = v,
                _ => {}
            }
        }
        x
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/acceptance.html")]
struct AcceptancePage {
    page: Page,
    r: AcceptanceRecord,
    a: Acceptance,
    /// The steps this reader may take now.
    steps: Vec<&'static str>,
    /// Accounts that may join the team (forming it): (id, name).
    candidates: Vec<(i64, String)>,
    /// Published acceptance notices of this project (posting it): (id, title).
    notices: Vec<(i64, String)>,
    checks: Vec<&'static str>,
    grades: Vec<&'static str>,
    /// Each member's latest sign-off of the latest report: (name, unit, opinion, reason, day,
    /// log index).
    signatures: Vec<Signature>,
    typed: StepForm,
    error: Option<String>,
    done: bool,
    today: String,
    notice_link: String,
    /// The project's evaluations (scheduled at acceptance).
    evaluations: Vec<sunledger_store::Evaluation>,
}

struct Signature {
    name: String,
    unit: String,
    unit_kind: String,
    opinion: String,
    reason: String,
    signed_on: String,
    log_index: String,
}

fn signatures(r: &AcceptanceRecord) -> Vec<Signature> {
    r.members
        .iter()
        .map(|m| {
            let s = r.current_signoff(m.id);
            Signature {
                name: m.name.clone(),
                unit: m.unit_name.clone(),
                unit_kind: m.unit_kind.clone(),
                opinion: s.map(|s| s.opinion.clone()).unwrap_or_default(),
                reason: s.map(|s| s.reason.clone()).unwrap_or_default(),
                signed_on: s.map(|s| s.signed_on.clone()).unwrap_or_default(),
                log_index: s
                    .and_then(|s| s.log_index)
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
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
    let a = r.acceptance.clone();
    let region = a.region;
    let me = ctx.user.as_ref().map(|u| u.id);
    let member = r.members.iter().any(|m| Some(m.user_id) == me);
    let has = |roles: &[sunledger_core::Role]| ctx.actor.has_role(roles, &region);
    let st = AcceptanceState::parse(&a.state).map_err(|e| f(e.into()))?;
    let mut steps = Vec::new();
    match st {
        AcceptanceState::Applied if has(ops::PRECHECKERS) => steps.push("precheck"),
        AcceptanceState::Prechecked if has(ops::BUREAU) => steps.push("form_team"),
        AcceptanceState::TeamFormed | AcceptanceState::Rectifying if member => {
            steps.push("inspect")
        }
        AcceptanceState::Inspected if member => {
            steps.push("sign");
            if a.disagreed > 0 {
                steps.push("inspect");
            }
        }
        AcceptanceState::Signed if has(ops::BUREAU) => steps.push("post"),
        AcceptanceState::Posted if has(ops::BUREAU) => steps.push("accept"),
        _ => {}
    }
    if st == AcceptanceState::Rectifying && member && r.latest().is_some() {
        steps.push("sign");
    }
    let mut candidates = Vec::new();
    if steps.contains(&"form_team") {
        let county = crate::app::ops::parse_region(&format!("{}000000", region.county_code()))
            .map_err(&f)?;
        let users: Vec<User> = state
            .store
            .users_within(&[county])
            .await
            .map_err(|e| f(e.into()))?;
        candidates = users
            .into_iter()
            .filter(|u| u.person_id.is_some() && !u.disabled)
            .map(|u| (u.id, u.display_name))
            .collect();
    }
    let mut notices = Vec::new();
    if steps.contains(&"post") {
        let (list, _) = state
            .store
            .notices(
                &NoticeFilter {
                    scopes: vec![region],
                    kind: Some("acceptance".into()),
                    public_only: true,
                    ..Default::default()
                },
                100,
                0,
            )
            .await
            .map_err(|e| f(e.into()))?;
        let source = format!("project:{}", a.project_id);
        notices = list
            .into_iter()
            .filter(|n: &Notice| n.source.as_deref() == Some(source.as_str()))
            .map(|n| (n.id, n.title().to_string()))
            .collect();
    }
    let notice_link = format!(
        "/notices/new?kind=acceptance&region={}&source=project:{}",
        a.region.as_str(),
        a.project_id
    );
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let evaluations = state
        .store
        .evaluations_of_project(a.project_id)
        .await
        .map_err(|e| f(e.into()))?;
    let mut typed = typed;
    if typed.inspected_on.is_empty() {
        typed.inspected_on = today.clone();
    }
    Ok(AcceptancePage {
        page: Page::new(ctx, uri),
        signatures: signatures(&r),
        a,
        r,
        steps,
        candidates,
        notices,
        checks: CHECKS.to_vec(),
        grades: Grade::ALL.iter().map(|g| g.key()).collect(),
        typed,
        error: error.map(|e| e.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
        today,
        notice_link,
        evaluations,
    }
    .into_response())
}

async fn acceptance_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, StepForm::default(), None).await
}

async fn take(state: &AppState, ctx: &Ctx, id: i64, x: &StepForm) -> Result<(), WebError> {
    match x.step.as_str() {
        "precheck" => {
            let i = ops::CommentInput {
                comment: x.comment.clone(),
            };
            ops::precheck(state, ctx, id, &i).await?;
        }
        "form_team" => {
            let members = x
                .members
                .iter()
                .map(|m| {
                    m.trim()
                        .parse::<i64>()
                        .map_err(|_| WebError::invalid("members", "malformed", m))
                })
                .collect::<Result<Vec<_>, _>>()?;
            ops::form_team(state, ctx, id, &ops::TeamInput { members }).await?;
        }
        "inspect" => {
            let i = ops::InspectionInput {
                inspected_on: x.inspected_on.clone(),
                passed: x.passed.clone(),
                grade: x.grade.clone(),
                findings: x.findings.clone(),
                deadline: Some(x.deadline.clone()),
            };
            ops::inspect(state, ctx, id, &i).await?;
        }
        "sign" => {
            let i = ops::SignInput {
                opinion: x.opinion.clone(),
                reason: x.reason.clone(),
            };
            ops::sign(state, ctx, id, &i).await?;
        }
        "post" => {
            let notice_id = x
                .notice_id
                .trim()
                .parse::<i64>()
                .map_err(|_| WebError::invalid("notice_id", "empty", &x.notice_id))?;
            ops::post(state, ctx, id, &ops::PostInput { notice_id }).await?;
        }
        "accept" => {
            let i = ops::CommentInput {
                comment: x.comment.clone(),
            };
            ops::accept(state, ctx, id, &i).await?;
        }
        other => {
            return Err(WebError::invalid(
                "step",
                "unknown_acceptance_action",
                other,
            ));
        }
    }
    Ok(())
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
        Ok(()) => Ok(Redirect::to(&format!("/acceptances/{id}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/print.html")]
struct PrintPage {
    page: Page,
    a: Acceptance,
    r: AcceptanceRecord,
    signatures: Vec<Signature>,
}

async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> Result<Response, crate::app::page::PageError> {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::visible(&state, &ctx, id).await.map_err(&f)?;
    Ok(PrintPage {
        page: Page::new(&ctx, &uri),
        a: r.acceptance.clone(),
        signatures: signatures(&r),
        r,
    }
    .into_response())
}
