//! The project library and Book 2 for the API and the pages: who may take which step, input
//! parsed into domain types, then one store call.
//!
//! Every project belongs to its village, and everything about it is internal to the officials of
//! the regions above it (the public sees projects only through the disclosure portal). Steps are
//! taken by role: the village declares, the township reviews, the county poverty alleviation
//! bureau (or the county party committee and government) approves, the municipal bureau records;
//! the county bureau keeps Book 2.
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ops::Named;
use serde::{Deserialize, Serialize};
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project::{
    self as proj, Budget, Category, Content, ResponsibleRole, Stage, StageAction, StatusAction,
    Targets,
};
use sunledger_core::{IdNumber, Permission, RegionCode};
use sunledger_store::{
    Account, Fund, NewLetter, Objection, Project, ProjectFilter, ProjectRecord, Responsibility,
    ResponsibilityFilter, ResponsibilityLetter,
};

/// One line of a planned budget in a request.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetInput {
    /// central_special, provincial, municipal, county_budget, integrated_agri, social_donation, other.
    pub source: String,
    /// Yuan, e.g. "500000.00".
    pub amount: String,
}

/// A project's content, as declared or revised.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ProjectInput {
    /// The village's 12-digit code.
    pub village: String,
    pub name: String,
    /// industry, infrastructure, relocation, education, health, employment, ecology, other.
    pub category: String,
    pub fiscal_year: i64,
    pub budget: Vec<BudgetInput>,
    /// Performance target: outputs.
    pub outputs: String,
    /// Performance target: households benefiting.
    pub households: i64,
    /// Performance target: income effect.
    pub income_effect: String,
    /// Performance target: satisfaction, percent.
    pub satisfaction: i64,
    /// The villagers' meeting that decided the project: date (YYYY-MM-DD) and minutes reference.
    pub meeting_on: String,
    pub meeting_ref: String,
    #[serde(default)]
    pub description: String,
    /// On creation: declare at once (otherwise a draft).
    #[serde(default)]
    pub declare: bool,
    /// On revision: why (required once the project is approved).
    #[serde(default)]
    pub note: String,
}

impl ProjectInput {
    pub fn content(&self) -> Result<Content, WebError> {
        let mut lines = Vec::new();
        for b in &self.budget {
            if b.amount.trim().is_empty() {
                continue;
            }
            lines.push((
                FundSource::parse(&b.source)?,
                Money::parse_yuan(&b.amount)
                    .map_err(|_| WebError::invalid("budget", "bad_amount", b.amount.as_str()))?,
            ));
        }
        Ok(Content {
            name: self.name.trim().to_string(),
            category: Category::parse(&self.category)?,
            village: RegionCode::parse(&self.village).map_err(|_| {
                WebError::invalid("village", "not_a_village", self.village.as_str())
            })?,
            fiscal_year: FiscalYear::new(self.fiscal_year)?,
            budget: Budget::new(lines)?,
            targets: Targets {
                outputs: self.outputs.trim().to_string(),
                households: self.households,
                income_effect: self.income_effect.trim().to_string(),
                satisfaction: self.satisfaction,
            },
            meeting_on: self.meeting_on.trim().to_string(),
            meeting_ref: self.meeting_ref.trim().to_string(),
            description: self.description.trim().to_string(),
        })
    }
}

fn actor(ctx: &Ctx) -> Option<i64> {
    ctx.user.as_ref().map(|u| u.id)
}

/// A project the caller may see (hidden as `NotFound` otherwise).
pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Project, WebError> {
    let p = state.store.project(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &p.region)?;
    Ok(p)
}

pub async fn create(state: &AppState, ctx: &Ctx, i: &ProjectInput) -> Result<Project, WebError> {
    ctx.require_user()?;
    let c = i.content()?;
    crate::ops::own_ref(state, ctx, "village", Named::Region(c.village.as_str())).await?;
    ctx.require_role(StageAction::Declare.roles(), &c.village)?;
    if state.store.region(&c.village).await?.is_none() {
        return Err(WebError::invalid(
            "village",
            "unknown_region",
            c.village.as_str(),
        ));
    }
    Ok(state
        .store
        .create_library_project(&c, i.declare, actor(ctx), state.now())
        .await?)
}

pub async fn revise(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ProjectInput,
) -> Result<Project, WebError> {
    let p = visible(state, ctx, id).await?;
    let stage = Stage::parse(&p.stage)?;
    ctx.require_role(stage.editors(), &p.region)?;
    let c = i.content()?;
    crate::ops::own_ref(state, ctx, "village", Named::Region(c.village.as_str())).await?;
    Ok(state
        .store
        .revise_project(id, &c, &i.note, actor(ctx), state.now())
        .await?)
}

/// A step: a declaration step (`declare`, `township_approve`, `township_return`,
/// `county_approve`, `county_return`, `record`, `revoke`) or an implementation step (`start`,
/// `complete`, `accept`, `evaluate`).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepInput {
    pub action: String,
    /// Required for returns and revocations.
    #[serde(default)]
    pub comment: String,
}

pub async fn step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &StepInput,
) -> Result<Project, WebError> {
    let p = visible(state, ctx, id).await?;
    if let Ok(a) = StageAction::parse(&i.action) {
        ctx.require_role(a.roles(), &p.region)?;
        return Ok(state
            .store
            .project_step(id, a, &i.comment, actor(ctx), state.now())
            .await?);
    }
    let a = StatusAction::parse(&i.action)?;
    ctx.require_role(a.roles(), &p.region)?;
    Ok(state
        .store
        .project_status_step(id, a, &i.comment, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ObjectionInput {
    /// Who objected (name, or "匿名").
    pub objector: String,
    pub content: String,
    /// The day it was received, inside the notice window.
    pub received_on: String,
}

pub async fn object(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ObjectionInput,
) -> Result<Objection, WebError> {
    let p = visible(state, ctx, id).await?;
    ctx.require_role(proj::TRACKERS, &p.region)?;
    Ok(state
        .store
        .record_objection(
            id,
            &i.objector,
            &i.content,
            &i.received_on,
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
}

pub async fn answer(
    state: &AppState,
    ctx: &Ctx,
    objection_id: i64,
    i: &AnswerInput,
) -> Result<Objection, WebError> {
    let o = state
        .store
        .objection(objection_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let p = visible(state, ctx, o.project_id).await?;
    ctx.require_role(proj::ANSWERERS, &p.region)?;
    Ok(state
        .store
        .answer_objection(objection_id, &i.answer, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MilestoneInput {
    pub name: String,
    /// Share of the project, 1-100.
    pub weight: i64,
    /// YYYY-MM-DD, optional.
    #[serde(default)]
    pub due_on: Option<String>,
}

pub async fn add_milestone(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &MilestoneInput,
) -> Result<sunledger_store::Milestone, WebError> {
    let p = visible(state, ctx, id).await?;
    ctx.require_role(proj::TRACKERS, &p.region)?;
    Ok(state
        .store
        .add_milestone(
            id,
            &i.name,
            i.weight,
            i.due_on.as_deref(),
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProgressInput {
    /// Percent, 0-100.
    pub progress: i64,
    /// YYYY-MM-DD, not in the future.
    pub on_date: String,
    #[serde(default)]
    pub note: String,
}

pub async fn report(
    state: &AppState,
    ctx: &Ctx,
    milestone_id: i64,
    i: &ProgressInput,
) -> Result<Project, WebError> {
    let m = state
        .store
        .milestone(milestone_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let p = visible(state, ctx, m.project_id).await?;
    ctx.require_role(proj::TRACKERS, &p.region)?;
    Ok(state
        .store
        .report_progress(
            milestone_id,
            i.progress,
            &i.on_date,
            &i.note,
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BeneficiaryInput {
    /// Head of household.
    pub name: String,
    /// Resident ID number (GB 11643, checked).
    pub id_number: String,
    pub household_size: i64,
}

pub async fn add_beneficiary(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &BeneficiaryInput,
) -> Result<sunledger_store::Beneficiary, WebError> {
    let p = visible(state, ctx, id).await?;
    ctx.require_role(proj::TRACKERS, &p.region)?;
    let n = IdNumber::parse(&i.id_number)?;
    Ok(state
        .store
        .add_beneficiary(id, &i.name, &n, i.household_size, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ResponsibilityInput {
    pub person_id: i64,
    /// county_leader, bureau_staff, township_official, village_cadre, work_team_captain,
    /// first_secretary.
    pub role: String,
    /// YYYY-MM-DD.
    pub start_on: String,
}

pub async fn assign(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ResponsibilityInput,
) -> Result<Responsibility, WebError> {
    let p = visible(state, ctx, id).await?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &p.region)?;
    crate::ops::own_ref(state, ctx, "person_id", Named::Person(i.person_id)).await?;
    let role = ResponsibleRole::parse(&i.role)?;
    Ok(state
        .store
        .assign_responsibility(id, i.person_id, role, &i.start_on, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EndInput {
    /// The last day of the responsibility, YYYY-MM-DD.
    pub end_on: String,
    pub reason: String,
}

pub async fn end(
    state: &AppState,
    ctx: &Ctx,
    responsibility_id: i64,
    i: &EndInput,
) -> Result<Responsibility, WebError> {
    let r = state
        .store
        .responsibility(responsibility_id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.project_region)?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &r.project_region)?;
    Ok(state
        .store
        .end_responsibility(
            responsibility_id,
            &i.end_on,
            &i.reason,
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LetterInput {
    /// The township's 9-digit code.
    pub township: String,
    pub fiscal_year: i64,
    pub document_no: String,
    pub title: String,
    /// The letter's text (its SHA-256 goes into the log).
    pub content: String,
    /// Signatory for the county poverty alleviation bureau.
    pub bureau_person_id: i64,
    /// Signatory for the township party committee and government.
    pub township_person_id: i64,
    /// YYYY-MM-DD.
    pub signed_on: String,
}

pub async fn file_letter(
    state: &AppState,
    ctx: &Ctx,
    i: &LetterInput,
) -> Result<ResponsibilityLetter, WebError> {
    ctx.require_user()?;
    let township = crate::ops::own_ref(state, ctx, "township", Named::Region(&i.township)).await?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &township)?;
    for (field, person) in [
        ("bureau_person_id", i.bureau_person_id),
        ("township_person_id", i.township_person_id),
    ] {
        crate::ops::own_ref(state, ctx, field, Named::Person(person)).await?;
    }
    Ok(state
        .store
        .file_letter(
            &NewLetter {
                township,
                fiscal_year: FiscalYear::new(i.fiscal_year)?,
                document_no: i.document_no.clone(),
                title: i.title.clone(),
                content: i.content.clone(),
                bureau_person_id: i.bureau_person_id,
                township_person_id: i.township_person_id,
                signed_on: i.signed_on.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn letter(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<ResponsibilityLetter, WebError> {
    let l = state.store.letter(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &l.township)?;
    Ok(l)
}

/// Narrows the caller's scopes to `region` (when given and visible).
pub fn scopes(ctx: &Ctx, region: Option<&str>) -> Result<Vec<RegionCode>, WebError> {
    ctx.require_user()?;
    let mine = ctx.actor.scopes(Permission::ViewInternal);
    let Some(r) = region.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(mine);
    };
    let r = RegionCode::parse(r)?;
    if mine.iter().any(|s| r.is_within(s)) {
        return Ok(vec![r]);
    }
    let inside: Vec<RegionCode> = mine.into_iter().filter(|s| s.is_within(&r)).collect();
    if inside.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(inside)
}

/// Filters of the project library.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    /// Region code: only projects inside it.
    pub region: Option<String>,
    pub year: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    /// A person's id: projects they were ever responsible for.
    pub person: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Page number from 1 (50 a page).
    pub page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn opt_i64(field: &'static str, s: &Option<String>) -> Result<Option<i64>, WebError> {
    opt(s)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| WebError::invalid(field, "malformed", v))
        })
        .transpose()
}

pub const PAGE: i64 = 50;

impl LibraryQuery {
    pub fn filter(&self, ctx: &Ctx) -> Result<ProjectFilter, WebError> {
        Ok(ProjectFilter {
            scopes: scopes(ctx, opt(&self.region))?,
            fiscal_year: opt_i64("year", &self.year)?,
            category: opt(&self.category)
                .map(|c| Category::parse(c).map(|c| c.key().to_string()))
                .transpose()?,
            stage: opt(&self.stage)
                .map(|c| Stage::parse(c).map(|c| c.key().to_string()))
                .transpose()?,
            status: opt(&self.status)
                .map(|c| proj::Status::parse(c).map(|c| c.key().to_string()))
                .transpose()?,
            person_id: opt_i64("person", &self.person)?,
            name: opt(&self.q).map(str::to_string),
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
pub struct Library {
    pub projects: Vec<Project>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn library(state: &AppState, ctx: &Ctx, q: &LibraryQuery) -> Result<Library, WebError> {
    let f = q.filter(ctx)?;
    let page = q.page();
    let (projects, total) = state.store.projects(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(Library {
        projects,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

/// Every project matching the filters (for exports), in pages of the store.
pub async fn all_projects(
    state: &AppState,
    ctx: &Ctx,
    q: &LibraryQuery,
) -> Result<Vec<Project>, WebError> {
    let f = q.filter(ctx)?;
    crate::ops::all_pages(|offset| state.store.projects(&f, 1000, offset)).await
}

/// One field changed since the approved version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub field: String,
    pub approved: String,
    pub current: String,
}

/// A project account of Book 1 with its fund.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Funding {
    pub account: Account,
    pub fund: Fund,
}

/// A project's page: its record, what changed since approval, the money arranged to it, and
/// who is responsible today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    #[serde(flatten)]
    pub record: ProjectRecord,
    /// Changes of the current version against the approved one (empty when none or not approved).
    pub changes: Vec<Change>,
    pub funding: Vec<Funding>,
    /// Last day of the notice and first day the county may approve (while noticed).
    pub notice_until: Option<String>,
    pub approvable_from: Option<String>,
    pub today: String,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: i64) -> Result<ProjectView, WebError> {
    let p = visible(state, ctx, id).await?;
    let record = state
        .store
        .project_record(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut changes = Vec::new();
    if let Some(av) = p.approved_version
        && av != p.version
    {
        let find = |v: i64| record.versions.iter().find(|x| x.version == v);
        if let (Some(a), Some(c)) = (find(av), find(p.version)) {
            for (f, before, after) in a.content()?.diff(&c.content()?) {
                changes.push(Change {
                    field: f.to_string(),
                    approved: before,
                    current: after,
                });
            }
        }
    }
    let mut funding = Vec::new();
    for a in state.store.accounts_in(&p.region).await? {
        if a.project_id == Some(id)
            && let Some(fund) = state.store.fund(a.fund_id).await?
        {
            funding.push(Funding { account: a, fund });
        }
    }
    let (notice_until, approvable_from) = match (&p.notice_from, p.stage.as_str()) {
        (Some(f), "noticed") => {
            let from = sunledger_core::day::parse("notice_from", f)?;
            let n = proj::NoticeState {
                from,
                unanswered: 0,
            };
            (
                Some(sunledger_core::day::format(n.until())),
                Some(sunledger_core::day::format(n.approvable_from())),
            )
        }
        _ => (None, None),
    };
    Ok(ProjectView {
        record,
        changes,
        funding,
        notice_until,
        approvable_from,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

/// Filters of Book 2.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookQuery {
    pub region: Option<String>,
    pub project: Option<String>,
    pub person: Option<String>,
    /// Only responsibilities covering this day (YYYY-MM-DD): "who was responsible on D".
    pub on: Option<String>,
    pub year: Option<String>,
}

pub async fn book(
    state: &AppState,
    ctx: &Ctx,
    q: &BookQuery,
) -> Result<Vec<Responsibility>, WebError> {
    let scopes = scopes(ctx, opt(&q.region))?;
    if let Some(d) = opt(&q.on) {
        sunledger_core::day::parse("on", d)?;
    }
    Ok(state
        .store
        .responsibilities(&ResponsibilityFilter {
            scopes,
            project_id: opt_i64("project", &q.project)?,
            person_id: opt_i64("person", &q.person)?,
            on_day: opt(&q.on).map(str::to_string),
            fiscal_year: opt_i64("year", &q.year)?,
        })
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterQuery {
    pub region: Option<String>,
}

pub async fn letters(
    state: &AppState,
    ctx: &Ctx,
    q: &LetterQuery,
) -> Result<Vec<ResponsibilityLetter>, WebError> {
    let scopes = scopes(ctx, opt(&q.region))?;
    Ok(state.store.letters(&scopes).await?)
}

// --- Exports ----------------------------------------------------------------------------------

use crate::i18n::{Lang, t};

/// The project library as a table for filing: headers in `lang`, one row a project.
pub async fn library_table(
    state: &AppState,
    lang: Lang,
    projects: &[Project],
) -> Result<(Vec<String>, Vec<Vec<String>>), WebError> {
    let names = state.store.region_names().await?;
    let name = |c: Option<RegionCode>| c.and_then(|c| names.get(&c).cloned()).unwrap_or_default();
    let headers = [
        "export.project.id",
        "export.project.name",
        "export.project.category",
        "export.project.township",
        "export.project.village",
        "export.project.region_code",
        "export.project.fiscal_year",
        "export.project.budget",
        "export.project.stage",
        "export.project.status",
        "export.project.progress",
        "export.project.version",
        "export.project.approved_version",
        "export.project.notice_from",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.name.clone(),
                t(lang, &format!("project.category.{}", p.category)),
                name(p.region.ancestor_at(sunledger_core::Level::Township)),
                name(Some(p.region)),
                p.region.as_str().to_string(),
                p.fiscal_year.to_string(),
                Money::from_fen(p.budget_total_fen).to_string(),
                t(lang, &format!("project.stage.{}", p.stage)),
                p.status
                    .as_deref()
                    .map(|s| t(lang, &format!("project.status.{s}")))
                    .unwrap_or_default(),
                p.progress.to_string(),
                p.version.to_string(),
                p.approved_version
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                p.notice_from.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok((headers, rows))
}

/// Book 2 as a table for filing.
pub fn book_table(lang: Lang, rows: &[Responsibility]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.project.id",
        "export.project.name",
        "export.project.region_code",
        "export.resp.role",
        "export.resp.person",
        "export.resp.position",
        "export.resp.department",
        "export.resp.start_on",
        "export.resp.end_on",
        "export.resp.end_reason",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.project_id.to_string(),
                r.project_name.clone(),
                r.project_region.as_str().to_string(),
                t(lang, &format!("resp.role.{}", r.role)),
                r.person_name.clone(),
                t(lang, &format!("position.{}", r.person_position)),
                r.department_name.clone(),
                r.start_on.clone(),
                r.end_on.clone().unwrap_or_default(),
                r.end_reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}
