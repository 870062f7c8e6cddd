//! Book 4's operations: permission on the project's region, inputs parsed into core types, one
//! store call each.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt, opt_i64, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::Permission;
use sunledger_core::Role;
use sunledger_core::acceptance::{AcceptanceState, Band, CHECKS, Grade, Opinion, Rules};
use sunledger_core::ledger::FiscalYear;
use sunledger_core::project::Category;
use sunledger_store::{
    Acceptance, AcceptanceFilter, AcceptanceRecord, Book4Filter, Book4Row, CountyRules,
    NewAcceptanceInspection, NewApplication,
};

/// Who applies: the township or the implementing unit (seed §3C.4).
pub const APPLICANTS: &[Role] = sunledger_core::project::TRACKERS;
/// Who prechecks: the township.
pub const PRECHECKERS: &[Role] = &[Role::TownshipOfficial];
/// Who forms the team, posts the result and accepts: the county poverty alleviation bureau.
pub const BUREAU: &[Role] = &[Role::PovertyBureau];

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ApplicationInput {
    pub project_id: i64,
    /// What was completed, in the applicant's words.
    pub application: String,
}

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<AcceptanceRecord, WebError> {
    let r = state
        .store
        .acceptance(id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.acceptance.region)?;
    Ok(r)
}

pub async fn apply(
    state: &AppState,
    ctx: &Ctx,
    i: &ApplicationInput,
) -> Result<Acceptance, WebError> {
    ctx.require_user()?;
    own_ref(state, ctx, "project_id", Named::Project(i.project_id)).await?;
    let p = state
        .store
        .project(i.project_id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_role(APPLICANTS, &p.region)?;
    Ok(state
        .store
        .apply_acceptance(
            &NewApplication {
                project_id: i.project_id,
                application: i.application.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct CommentInput {
    #[serde(default)]
    pub comment: String,
}

pub async fn precheck(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &CommentInput,
) -> Result<Acceptance, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(PRECHECKERS, &r.acceptance.region)?;
    Ok(state
        .store
        .precheck_acceptance(id, &i.comment, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct TeamInput {
    /// The members' account ids: county finance, the poverty bureau, the business department
    /// (and optionally a village supervision committee member).
    pub members: Vec<i64>,
}

pub async fn form_team(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &TeamInput,
) -> Result<Acceptance, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(BUREAU, &r.acceptance.region)?;
    Ok(state
        .store
        .form_acceptance_team(id, &i.members, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct InspectionInput {
    /// YYYY-MM-DD.
    pub inspected_on: String,
    /// The checks that passed, by key: content_quantity, quality, funds_in_place,
    /// funds_paid_by_rules, beneficiaries_posted, changes_approved.
    #[serde(default)]
    pub passed: Vec<String>,
    /// excellent, qualified or failed.
    pub grade: String,
    pub findings: String,
    /// YYYY-MM-DD, required when failed.
    #[serde(default)]
    pub deadline: Option<String>,
}

impl InspectionInput {
    pub fn parse(&self) -> Result<NewAcceptanceInspection, WebError> {
        for p in &self.passed {
            if !CHECKS.contains(&p.trim()) {
                return Err(WebError::invalid("passed", "unknown_check", p));
            }
        }
        Ok(NewAcceptanceInspection {
            inspected_on: self.inspected_on.clone(),
            passed: CHECKS
                .iter()
                .map(|c| self.passed.iter().any(|p| p.trim() == *c))
                .collect(),
            grade: Grade::parse(&self.grade)?,
            findings: self.findings.clone(),
            deadline: opt(&self.deadline).map(str::to_string),
        })
    }
}

pub async fn inspect(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &InspectionInput,
) -> Result<Acceptance, WebError> {
    visible(state, ctx, id).await?;
    let i = i.parse()?;
    Ok(state
        .store
        .inspect_acceptance(id, &i, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct SignInput {
    /// agree or disagree.
    pub opinion: String,
    /// Required when disagreeing.
    #[serde(default)]
    pub reason: String,
}

pub async fn sign(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &SignInput,
) -> Result<Acceptance, WebError> {
    visible(state, ctx, id).await?;
    let user = ctx.require_user()?.id;
    let opinion = Opinion::parse(&i.opinion)?;
    Ok(state
        .store
        .sign_acceptance(id, opinion, &i.reason, user, state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct PostInput {
    /// The published notice (kind `acceptance`) of this project's result.
    pub notice_id: i64,
}

pub async fn post(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &PostInput,
) -> Result<Acceptance, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(BUREAU, &r.acceptance.region)?;
    Ok(state
        .store
        .post_acceptance(id, i.notice_id, actor(ctx), state.now())
        .await?)
}

pub async fn accept(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &CommentInput,
) -> Result<Acceptance, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(BUREAU, &r.acceptance.region)?;
    Ok(state
        .store
        .accept_project(id, &i.comment, actor(ctx), state.now())
        .await?)
}

/// Filters of Book 4.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AcceptanceQuery {
    pub region: Option<String>,
    pub state: Option<String>,
    pub grade: Option<String>,
    /// `1`: only those not inspected within the county's days of the application.
    pub overdue: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl AcceptanceQuery {
    pub fn filter(&self, state: &AppState, ctx: &Ctx) -> Result<AcceptanceFilter, WebError> {
        Ok(AcceptanceFilter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            state: opt(&self.state)
                .map(|s| {
                    sunledger_core::acceptance::AcceptanceState::parse(s)
                        .map(|s| s.key().to_string())
                })
                .transpose()?,
            grade: opt(&self.grade)
                .map(|s| Grade::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            overdue_on: (opt(&self.overdue) == Some("1"))
                .then(|| sunledger_core::day::format(sunledger_core::day::today(state.now()))),
        })
    }
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AcceptanceLedger {
    pub acceptances: Vec<Acceptance>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub today: String,
}

pub async fn list(
    state: &AppState,
    ctx: &Ctx,
    q: &AcceptanceQuery,
) -> Result<AcceptanceLedger, WebError> {
    ctx.require_user()?;
    let f = q.filter(state, ctx)?;
    let page = q.page();
    let (acceptances, total) = state.store.acceptances(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(AcceptanceLedger {
        acceptances,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

pub async fn all(
    state: &AppState,
    ctx: &Ctx,
    q: &AcceptanceQuery,
) -> Result<Vec<Acceptance>, WebError> {
    ctx.require_user()?;
    let f = q.filter(state, ctx)?;
    ops::all_pages(|offset| state.store.acceptances(&f, 1000, offset)).await
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct RulesInput {
    pub inspection_days: i64,
    pub retention_percent: u32,
    pub posting_days: i64,
    pub evaluation_years: Vec<u32>,
    /// The county's document or meeting that set them.
    pub basis: String,
}

fn county_region(county: &str) -> Result<sunledger_core::RegionCode, WebError> {
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebError::invalid("county", "malformed", county));
    }
    ops::parse_region(&format!("{county}000000"))
}

pub async fn county_rules(
    state: &AppState,
    ctx: &Ctx,
    county: &str,
) -> Result<CountyRules, WebError> {
    let region = county_region(county)?;
    ctx.require_or_hide(Permission::ViewInternal, &region)?;
    Ok(state.store.acceptance_rules(county).await?)
}

pub async fn set_rules(
    state: &AppState,
    ctx: &Ctx,
    county: &str,
    i: &RulesInput,
) -> Result<CountyRules, WebError> {
    let region = county_region(county)?;
    ctx.require_or_hide(Permission::ViewInternal, &region)?;
    ctx.require_role(BUREAU, &region)?;
    let r = Rules {
        inspection_days: i.inspection_days,
        retention_percent: i.retention_percent,
        posting_days: i.posting_days,
        evaluation_years: i.evaluation_years.clone(),
    };
    Ok(state
        .store
        .set_acceptance_rules(county, &r, &i.basis, actor(ctx), state.now())
        .await?)
}

/// Filters of Book 4 itself and of the database of implemented projects.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Book4Query {
    /// A region code (its subtree).
    pub region: Option<String>,
    /// The project's fiscal year, e.g. 2026.
    pub fiscal_year: Option<String>,
    /// The project's category (industry, infrastructure, ...).
    pub category: Option<String>,
    /// The latest inspection's grade: excellent, qualified or failed.
    pub grade: Option<String>,
    /// The acceptance's state (applied ... accepted, rectifying).
    pub state: Option<String>,
    /// The latest reviewed evaluation's band: excellent, good, fair or poor.
    pub band: Option<String>,
    pub page: Option<String>,
}

impl Book4Query {
    pub fn filter(&self, ctx: &Ctx, implemented: bool) -> Result<Book4Filter, WebError> {
        let fiscal_year = opt_i64("fiscal_year", &self.fiscal_year)?
            .map(|y| FiscalYear::new(y).map(|_| y))
            .transpose()?;
        Ok(Book4Filter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            fiscal_year,
            category: opt(&self.category)
                .map(|s| Category::parse(s).map(|c| c.key().to_string()))
                .transpose()?,
            grade: opt(&self.grade)
                .map(|s| Grade::parse(s).map(|g| g.key().to_string()))
                .transpose()?,
            state: opt(&self.state)
                .map(|s| AcceptanceState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            band: opt(&self.band)
                .map(|s| Band::parse(s).map(|b| b.key().to_string()))
                .transpose()?,
            implemented,
        })
    }
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

/// A page of Book 4 itself (or of the database of implemented projects).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Book4Page {
    pub rows: Vec<Book4Row>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// Beijing's day, against which an evaluation not reviewed is due or not yet.
    pub today: String,
}

/// A page of Book 4 itself; `implemented`: only accepted and evaluated projects.
pub async fn book(
    state: &AppState,
    ctx: &Ctx,
    q: &Book4Query,
    implemented: bool,
) -> Result<Book4Page, WebError> {
    ctx.require_user()?;
    let f = q.filter(ctx, implemented)?;
    let page = q.page();
    let (rows, total) = state.store.book4(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(Book4Page {
        rows,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

/// Every row of Book 4 itself matching (for the downloads).
pub async fn book_all(
    state: &AppState,
    ctx: &Ctx,
    q: &Book4Query,
    implemented: bool,
) -> Result<Vec<Book4Row>, WebError> {
    ctx.require_user()?;
    let f = q.filter(ctx, implemented)?;
    ops::all_pages(|offset| state.store.book4(&f, 1000, offset)).await
}
