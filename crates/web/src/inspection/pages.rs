//! Pages of inspections with their quarterly coverage and of the municipal bureau's spot-check
//! draws.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{
    Names, holds_any, is_access, opt_num, parse_id, region_choices, today, trimmed, user_name,
};
use crate::app::page::{PAGE_SIZE, Page, PageParam, PageResult, Pager, fail, urlencode};
use crate::inspection::ops;
use crate::problem::ops::ProblemQuery;
use crate::problem::pages::{ProblemRow, problem_rows};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use sunledger_core::inspection::SampleRules;
use sunledger_core::{Level, RegionCode, Role};
use sunledger_store::Inspection;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/inspections",
            get(inspections_page).post(create_inspection),
        )
        .route("/inspections/{id}", get(inspection_page))
        .route("/inspections/{id}/done", post(complete_inspection))
        .route("/spot-checks", get(spot_checks_page).post(draw))
        .route("/spot-checks/{id}/population.txt", get(population))
}

// --- Inspections ------------------------------------------------------------------------------

pub(crate) struct Target {
    text: String,
    href: Option<String>,
}

pub(crate) struct InspectionRow {
    id: i64,
    title: String,
    kind: String,
    place: String,
    team: String,
    lead: String,
    planned_on: String,
    done_on: Option<String>,
    findings: Option<String>,
    done_reason: Option<String>,
    targets: Vec<Target>,
    draw_id: Option<i64>,
}

/// The inspected things, by name: a region with its place, a project with its name (its code or
/// number beside it as secondary text).
pub(crate) async fn targets(
    page: &Page,
    names: &mut Names<'_>,
    s: &str,
) -> Result<Vec<Target>, WebError> {
    let mut out = Vec::new();
    for t in s.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        out.push(match t.split_once(':') {
            Some(("project", id)) => {
                let id = id.trim();
                let name = match id.parse::<i64>() {
                    Ok(n) => names.state.store.project(n).await?.map(|p| p.name),
                    Err(_) => None,
                };
                Target {
                    text: match name {
                        Some(n) => format!("{} {n}（{id}）", page.t("inspection.target.project")),
                        None => format!("{} {id}", page.t("inspection.target.project")),
                    },
                    href: Some(format!("/projects/{}", urlencode(id))),
                }
            }
            Some(("region", code)) => {
                let code = code.trim();
                let text = match sunledger_core::RegionCode::parse(code) {
                    Ok(c) => format!("{}（{code}）", names.place(&c).await?),
                    Err(_) => format!("{} {code}", page.t("inspection.target.region")),
                };
                Target {
                    text,
                    href: Some(format!("/regions/{}", urlencode(code))),
                }
            }
            Some(("household", id)) => Target {
                text: format!("{} {id}", page.t("inspection.target.household")),
                href: None,
            },
            _ => Target {
                text: t.to_string(),
                href: None,
            },
        });
    }
    Ok(out)
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
        targets: targets(page, names, &i.targets).await?,
        id: i.id,
        title: i.title,
        kind: i.kind,
        team: i.team,
        planned_on: i.planned_on,
        done_on: i.done_on,
        findings: i.findings,
        done_reason: i.done_reason,
        draw_id: i.draw_id,
    })
}

pub(crate) struct CoverageCellView {
    n: u32,
    /// `ok`, `behind` or `not-yet`.
    class: &'static str,
    note: String,
}

pub(crate) struct CoverageRow {
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
    done_reason: String,
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
            done_reason: get("done_reason"),
        }
    }
    fn input(&self) -> Result<ops::InspectionInput, WebError> {
        Ok(ops::InspectionInput {
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
            done_reason: trimmed(&self.done_reason).map(str::to_string),
        })
    }
    fn leads(&self, k: &&str) -> bool {
        self.lead_departments.iter().any(|x| x == *k)
    }
}

/// The lead departments an inspection can have.
const LEADS: [&str; 3] = ["discipline_commission", "poverty_bureau", "finance_bureau"];

#[derive(Template, WebTemplate)]
#[template(path = "inspection/inspections.html")]
struct InspectionsView {
    page: Page,
    rows: Vec<InspectionRow>,
    pager: Pager,
    quarters: Vec<String>,
    coverage: Vec<CoverageRow>,
    /// The region filter as typed, its picker and its refusal.
    filter: crate::app::forms::RegionFilter,
    query_string: String,
    can_record: bool,
    can_draw: bool,
    i: InspectionForm,
    regions: Vec<(String, String)>,
    /// Regions and projects near the inspected region, as the targets' picker offers them.
    target_choices: Vec<String>,
    draws: Vec<(i64, String)>,
    kinds: Vec<&'static str>,
    leads: Vec<&'static str>,
    error: Option<String>,
}

async fn render_inspections(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    q: ops::RegionQuery,
    page_no: i64,
    form: Option<InspectionForm>,
    error: Option<WebError>,
) -> Result<Response, WebError> {
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let error = error.map(|e| e.message(page.lang));
    let mut q = q;
    let filter = crate::app::forms::region_filter(state, ctx, &mut q.region).await?;
    let mut names = Names::new(state);
    let mut rows = Vec::new();
    let (found, total) = if filter.error.is_some() {
        // A name that names nothing lists nothing (not everything).
        (Vec::new(), 0)
    } else {
        ops::inspections_page(state, ctx, &q, page_no, PAGE_SIZE).await?
    };
    for i in found {
        rows.push(inspection_row(&page, &mut names, i).await?);
    }
    let cov = ops::coverage(state, ctx, &q).await?;
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
    let can_record = holds_any(ctx, sunledger_core::access::INSPECTORS);
    let mut draws = Vec::new();
    if can_record {
        for d in ops::draws(state, ctx, &ops::RegionQuery::default()).await? {
            draws.push((d.id, format!("{} · {}", d.round, d.seed)));
        }
    }
    let first_role = ctx
        .actor
        .grants
        .iter()
        .find(|g| sunledger_core::access::INSPECTORS.contains(&g.role));
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
        region_choices(
            state,
            ctx,
            sunledger_core::access::INSPECTORS,
            chosen.as_ref(),
        )
        .await?
    } else {
        Vec::new()
    };
    let target_choices = match chosen.filter(|_| can_record) {
        Some(c) => crate::ledger::forms::owner_choices(state, ctx, &c)
            .await?
            .into_iter()
            .map(|c| c.label)
            .collect(),
        None => Vec::new(),
    };
    let region = q.region.clone().unwrap_or_default();
    let query_string = trimmed(&region)
        .map(|r| format!("region={}", urlencode(r)))
        .unwrap_or_default();
    Ok((
        status,
        InspectionsView {
            pager: Pager::new("/inspections", &query_string, page_no, PAGE_SIZE, total),
            page,
            rows,
            quarters,
            coverage,
            filter,
            query_string,
            can_record,
            can_draw: holds_any(ctx, sunledger_core::inspection::SAMPLERS),
            i,
            regions,
            target_choices,
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
    Query(q): Query<ops::RegionQuery>,
    Query(p): Query<PageParam>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    render_inspections(
        &state,
        &ctx,
        Page::new(&ctx, &uri),
        q,
        p.number(),
        None,
        None,
    )
    .await
    .map_err(&f)
}

/// The inspected things as typed on the form, `；`-separated: a picker's `金坪镇（529121100）` or
/// `村道硬化（P12）`, a bare name near the inspected region, or the stored form
/// (`region:529121100`, `project:12`, `household:7`). Answers the stored form.
async fn targets_named(
    state: &AppState,
    ctx: &Ctx,
    region: &str,
    typed: &str,
) -> Result<String, WebError> {
    let items: Vec<&str> = typed
        .split([';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if items.is_empty() {
        return Ok(String::new());
    }
    let code = RegionCode::parse(region)
        .map_err(|_| WebError::invalid("region", "unknown_reference", region))?;
    let choices = crate::ledger::forms::owner_choices(state, ctx, &code).await?;
    let mut out = Vec::new();
    for item in items {
        if ["region:", "project:", "household:"]
            .iter()
            .any(|p| item.starts_with(p))
        {
            out.push(item.to_string());
            continue;
        }
        match crate::ledger::forms::owner_named(&choices, "targets", item)? {
            Some(crate::ledger::ops::OwnerRef {
                project: Some(p), ..
            }) => out.push(format!("project:{p}")),
            Some(crate::ledger::ops::OwnerRef {
                region: Some(r), ..
            }) => out.push(format!("region:{r}")),
            _ => return Err(WebError::invalid("targets", "unknown_name", item)),
        }
    }
    Ok(out.join(";"))
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
        Ok(mut i) => match targets_named(&state, &ctx, &i.region, &i.targets).await {
            Ok(t) => {
                i.targets = t;
                ops::create_inspection(&state, &ctx, &i).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match r {
        Ok(i) => Ok(Redirect::to(&format!("/inspections/{}", i.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_inspections(
            &state,
            &ctx,
            Page::new(&ctx, &uri),
            ops::RegionQuery::default(),
            1,
            Some(form),
            Some(e),
        )
        .await
        .map_err(&f),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection/inspection.html")]
struct InspectionView {
    page: Page,
    i: InspectionRow,
    region_code: String,
    problems: Vec<ProblemRow>,
    can_record: bool,
    done_on: String,
    findings: String,
    done_reason: String,
    error: Option<String>,
}

async fn render_inspection(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: Option<ops::DoneInput>,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let x = ops::visible_inspection(state, ctx, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/inspections/{id}");
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let error = error.map(|e| e.message(page.lang));
    let problems = crate::problem::ops::all_problems(
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
    let can_record = ctx
        .actor
        .has_role(sunledger_core::access::INSPECTORS, &x.region);
    let region_code = x.region.prefix().to_string();
    let (done_on, findings, done_reason) = match typed {
        Some(t) => (t.done_on, t.findings, t.done_reason.unwrap_or_default()),
        None => (
            sunledger_core::day::format(today(state)),
            String::new(),
            String::new(),
        ),
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
            done_reason,
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
    Form(x): Form<ops::DoneInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match ops::complete_inspection(&state, &ctx, id, &x).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_inspection(&state, &ctx, &uri, id, Some(x), Some(e)).await,
    }
}

// --- Spot checks ------------------------------------------------------------------------------

pub(crate) struct SampledVillageView {
    code: String,
    name: String,
    poor: Vec<String>,
    non_poor: Vec<String>,
}

pub(crate) struct SampledCountyView {
    code: String,
    name: String,
    villages: Vec<SampledVillageView>,
}

pub(crate) struct DrawView {
    id: i64,
    place: String,
    round: String,
    seed: String,
    rules: String,
    at: i64,
    who: String,
    counties: Vec<SampledCountyView>,
    households: usize,
    replaces: Option<i64>,
    reason: String,
    replaced: bool,
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
    replace_reason: String,
}

impl DrawForm {
    fn input(&self) -> Result<ops::DrawInput, WebError> {
        Ok(ops::DrawInput {
            region: self.region.trim().to_string(),
            round: self.round.trim().to_string(),
            seed: self.seed.clone(),
            villages_per_county: opt_num("villages_per_county", &self.villages_per_county)?,
            poor_per_village: opt_num("households", &self.poor_per_village)?,
            non_poor_per_village: opt_num("households", &self.non_poor_per_village)?,
            replace_reason: trimmed(&self.replace_reason).map(str::to_string),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection/spot_checks.html")]
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
    let list = if ctx.user.is_some() {
        ops::draws(state, ctx, &ops::RegionQuery::default()).await?
    } else {
        ops::public_draws(state).await?
    };
    for d in list {
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
            // The public sees what was drawn, not which official drew it.
            who: if ctx.user.is_some() {
                user_name(state, &mut users, d.created_by).await?
            } else {
                String::new()
            },
            counties,
            households,
            replaces: d.replaces,
            reason: d.reason.unwrap_or_default(),
            replaced: d.replaced,
        });
    }
    let can_draw = holds_any(ctx, sunledger_core::inspection::SAMPLERS);
    let rules = SampleRules::default();
    let d = form.unwrap_or_else(|| DrawForm {
        region: ctx
            .actor
            .grants
            .iter()
            .find(|g| sunledger_core::inspection::SAMPLERS.contains(&g.role))
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
    for g in ctx.actor.grants.iter().filter(|g| {
        sunledger_core::inspection::SAMPLERS.contains(&g.role) && g.region.level() <= Level::City
    }) {
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

/// Public: anyone can read the draws and re-derive them.
async fn spot_checks_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
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
        Ok(i) => ops::draw(&state, &ctx, &i).await,
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

/// The population a draw drew from (public), as text: one line per village,
/// `county village poor-ids | non-poor-ids`.
async fn population(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let text = ops::draw_population(&state, id).await.map_err(&f)?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
