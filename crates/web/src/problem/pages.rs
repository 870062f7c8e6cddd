//! Pages of Book 3: the ledger and recording a problem. A refused form comes back filled in as
//! sent, with the reason.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{
    Names, day, fill, holds_any, is_access, opt_num, region_choices, to_problem, today, trimmed,
};
use crate::app::page::{Page, PageResult, Pager, fail, urlencode};
use crate::problem::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use ops::ProblemQuery;
use serde::Deserialize;
use sunledger_core::access as sv;
use sunledger_core::problem::{ProblemCategory, ProblemState, Severity};
use sunledger_core::{Level, RegionCode};
use sunledger_store::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(ledger_page).post(create_problem))
        .route("/problems/new", get(new_problem_form))
}

// --- Book 3: the ledger -----------------------------------------------------------------------

pub(crate) struct ProblemRow {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) category: String,
    pub(crate) severity: String,
    pub(crate) state: String,
    pub(crate) department: String,
    pub(crate) person: Option<String>,
    pub(crate) place: String,
    pub(crate) deadline: String,
    pub(crate) amount_fen: i64,
    /// "12 days overdue", "due today", "3 days left" (open problems only).
    pub(crate) due: String,
    /// `overdue`, `due-soon` or empty.
    pub(crate) due_class: &'static str,
}

/// Turns problems into rows with their place and what their deadline means today.
pub(crate) async fn problem_rows(
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
    let overdue = ops::problems(
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
        let l = ops::problems(
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

pub(crate) fn problem_query_string(q: &ProblemQuery) -> String {
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
#[template(path = "problem/problems.html")]
pub(crate) struct LedgerView {
    page: Page,
    rows: Vec<ProblemRow>,
    pager: Pager,
    q: ProblemQuery,
    query_string: String,
    /// The areas of the summary, for its links.
    summary_query: String,
    summary: Summary,
    states: Vec<&'static str>,
    categories: Vec<&'static str>,
    can_record: bool,
    today: String,
    region: crate::app::forms::RegionFilter,
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
    let mut q = q;
    let region = crate::app::forms::region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let mut l = ops::problems(&state, &ctx, &q).await.map_err(&f)?;
    if region.error.is_some() {
        // A name that names nothing lists nothing (not everything).
        l.problems.clear();
        l.total = 0;
    }
    let summary = summary(&state, &ctx, &q).await.map_err(&f)?;
    let rows = problem_rows(&state, &page, l.problems).await.map_err(&f)?;
    Ok(LedgerView {
        page,
        rows,
        pager: Pager::new(
            "/problems",
            &problem_query_string(&q),
            l.page,
            ops::PAGE,
            l.total,
        ),
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
        region,
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
    deadline_reason: String,
}

impl ProblemForm {
    fn input(&self) -> Result<ops::ProblemInput, WebError> {
        Ok(ops::ProblemInput {
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
            deadline_reason: Some(self.deadline_reason.clone()),
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

pub(crate) struct Unit {
    id: i64,
    name: String,
}

pub(crate) struct UnitGroup {
    place: String,
    units: Vec<Unit>,
}

pub(crate) struct PersonOption {
    id: i64,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "problem/problem_form.html")]
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
            for x in crate::inspection::ops::inspections(
                state,
                ctx,
                &crate::inspection::ops::RegionQuery {
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
        && let Ok(x) = crate::inspection::ops::visible_inspection(state, ctx, id).await
    {
        inspections.push((x.id, x.title));
    }
    let review_title = match opt_num::<i64>("review_of", &i.review_of) {
        Ok(Some(id)) => ops::visible_problem(state, ctx, id)
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
        let x = crate::inspection::ops::visible_inspection(&state, &ctx, id)
            .await
            .map_err(&f)?;
        region = Some(x.region.prefix().to_string());
    }
    if region.is_none()
        && let Ok(Some(id)) = opt_num::<i64>("project", &q.project)
    {
        let p = crate::project::ops::visible(&state, &ctx, id)
            .await
            .map_err(&f)?;
        region = Some(p.region.prefix().to_string());
    }
    if region.is_none()
        && let Ok(Some(id)) = opt_num::<i64>("review_of", &q.review_of)
    {
        let p = ops::visible_problem(&state, &ctx, id).await.map_err(&f)?;
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
        Ok(i) => ops::create_problem(&state, &ctx, &i).await,
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
