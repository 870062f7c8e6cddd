//! The project library for the API and the pages: each operation checks the role the step needs,
//! parses input into domain types, then calls the store once.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::{Named, actor, opt, opt_i64, scopes};
use serde::{Deserialize, Serialize};
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project as proj;
use sunledger_core::project::{
    Budget, Category, Content, Indicator, Stage, StageAction, StatusAction,
};
use sunledger_core::{IdNumber, Permission, RegionCode};
use sunledger_store::{Account, Fund, Objection, Project, ProjectFilter, ProjectRecord};

/// One line of a planned budget in a request.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetInput {
    /// central_special, provincial, municipal, county_budget, integrated_agri, social_donation, other.
    pub source: String,
    /// Yuan, e.g. "500000.00".
    pub amount: String,
}

/// One performance indicator in a request (a row of the 绩效目标 table).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default, PartialEq, Eq)]
pub struct IndicatorInput {
    /// quantity, quality, timeliness, cost (产出); economic, social, ecological, sustainability
    /// (效益); satisfied (满意度).
    pub kind: String,
    pub name: String,
    /// ge (≥), le (≤) or eq (=).
    pub operator: String,
    /// The target in its unit, at most two decimals, e.g. "3.2".
    pub target: String,
    /// e.g. 公里, 户, 天, 万元, %.
    pub unit: String,
    /// Points out of 100; the weights of a project's indicators add up to 100.
    pub weight: i64,
    /// A core indicator (missing it opens a problem).
    #[serde(default)]
    pub core: bool,
}

impl IndicatorInput {
    /// The indicator of row `n` (from 0); a refusal names the row and field (`targets[2].weight`).
    pub fn indicator(&self, n: usize) -> Result<Indicator, WebError> {
        use sunledger_core::acceptance::{IndicatorKind, Operator, row_field};
        let bad = |f: &str, reason: &str, v: &str| WebError::invalid(row_field(n, f), reason, v);
        Ok(Indicator {
            kind: IndicatorKind::parse(&self.kind)
                .map_err(|_| bad("kind", "unknown_indicator_kind", &self.kind))?,
            name: self.name.trim().to_string(),
            operator: Operator::parse(&self.operator)
                .map_err(|_| bad("operator", "unknown_operator", &self.operator))?,
            target: proj::parse_hundredths(row_field(n, "target"), &self.target)?,
            unit: self.unit.trim().to_string(),
            weight: u32::try_from(self.weight)
                .map_err(|_| bad("weight", "out_of_range", &self.weight.to_string()))?,
            core: self.core,
        })
    }

    /// The input of a stored indicator.
    pub fn of(i: &sunledger_store::ProjectIndicator) -> IndicatorInput {
        IndicatorInput {
            kind: i.kind.clone(),
            name: i.name.clone(),
            operator: i.operator.clone(),
            target: i.target_text.clone(),
            unit: i.unit.clone(),
            weight: i.weight,
            core: i.core,
        }
    }
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
    /// Performance targets (绩效目标): the indicators, in order; weights summing to 100, a
    /// satisfaction indicator among them.
    pub targets: Vec<IndicatorInput>,
    /// The meeting decision that approved the project (issue 18): a decision item of a
    /// villagers' or representatives' meeting of the village that passed. Declaring needs it;
    /// the meeting's day and reference are then taken from the meeting.
    #[serde(default)]
    pub meeting_item_id: Option<i64>,
    /// Older records: the meeting's date (YYYY-MM-DD) and minutes reference as free text.
    #[serde(default)]
    pub meeting_on: String,
    #[serde(default)]
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
            targets: self
                .targets
                .iter()
                .enumerate()
                .map(|(n, i)| i.indicator(n))
                .collect::<Result<_, _>>()?,
            meeting_on: self.meeting_on.trim().to_string(),
            meeting_ref: self.meeting_ref.trim().to_string(),
            description: self.description.trim().to_string(),
            meeting_item_id: self.meeting_item_id,
        })
    }
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
    ops::own_ref(state, ctx, "village", Named::Region(c.village.as_str())).await?;
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
    ops::own_ref(state, ctx, "village", Named::Region(c.village.as_str())).await?;
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
    ops::all_pages(|offset| state.store.projects(&f, 1000, offset)).await
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
