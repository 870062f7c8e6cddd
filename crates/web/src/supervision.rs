//! Supervision for the API and the pages: inspections and their coverage, spot-check draws,
//! Book 3 and the escalation ladder. Each operation checks the role the step needs on the region
//! concerned, parses input into domain types, then calls the store once.
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::i18n::{Lang, t};
use crate::ops::{Named, own_opt, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::money::Money;
use sunledger_core::supervision::{
    self as sv, CoverageCell, ProblemAction, ProblemCategory, SampleRules, Severity, Step,
};
use sunledger_core::{DepartmentKind, Level, Permission};
use sunledger_store::{
    Escalation, Inspection, NewEscalation, NewInspection, NewProblem, Problem, ProblemFilter,
    ProblemRecord, Proposal, SpotDraw,
};

fn actor(ctx: &Ctx) -> Option<i64> {
    ctx.user.as_ref().map(|u| u.id)
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

/// The escalation rules in force (the defaults; see `docs/SUPERVISION.md`).
pub fn rules() -> Vec<sv::EscalationRule> {
    sv::default_rules()
}

// --- Inspections ------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct InspectionInput {
    /// The region inspected (a county, township or village).
    pub region: String,
    /// `routine` or `spot_check`.
    pub kind: String,
    pub title: String,
    /// Members of the team.
    pub team: String,
    /// Lead department kinds: discipline_commission, poverty_bureau, finance_bureau.
    pub lead_departments: Vec<String>,
    /// What is inspected: `region:CODE`, `project:ID`, `household:ID` joined by `;`.
    #[serde(default)]
    pub targets: String,
    /// YYYY-MM-DD.
    pub planned_on: String,
    /// The spot-check draw it carries out.
    #[serde(default)]
    pub draw_id: Option<i64>,
    /// When given, the inspection is recorded as done on `done_on` with these findings.
    #[serde(default)]
    pub done_on: Option<String>,
    #[serde(default)]
    pub findings: Option<String>,
}

pub async fn create_inspection(
    state: &AppState,
    ctx: &Ctx,
    i: &InspectionInput,
) -> Result<Inspection, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sv::INSPECTORS, &region)?;
    check_targets(state, ctx, &i.targets).await?;
    let lead = i
        .lead_departments
        .iter()
        .map(|k| DepartmentKind::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    let ins = state
        .store
        .create_inspection(
            &NewInspection {
                region,
                kind: i.kind.trim().to_string(),
                title: i.title.clone(),
                team: i.team.clone(),
                lead_departments: lead,
                targets: i.targets.clone(),
                planned_on: i.planned_on.clone(),
                draw_id: i.draw_id,
            },
            actor(ctx),
            state.now(),
        )
        .await?;
    match (opt(&i.done_on), opt(&i.findings)) {
        (Some(d), Some(f)) => Ok(state
            .store
            .complete_inspection(ins.id, d, f, actor(ctx), state.now())
            .await?),
        _ => Ok(ins),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DoneInput {
    pub done_on: String,
    pub findings: String,
}

/// Every target of an inspection (`region:CODE`, `project:ID`, `household:ID`, joined by `;`)
/// must lie in the inspector's own area.
async fn check_targets(state: &AppState, ctx: &Ctx, targets: &str) -> Result<(), WebError> {
    for t in targets.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        let bad = || WebError::invalid("targets", "unknown_reference", t);
        let (kind, value) = t.split_once(':').ok_or_else(bad)?;
        let value = value.trim();
        let id = || value.parse::<i64>().map_err(|_| bad());
        let named = match kind.trim() {
            "region" => Named::Region(value),
            "project" => Named::Project(id()?),
            "household" => Named::Household(id()?),
            _ => return Err(bad()),
        };
        own_ref(state, ctx, "targets", named).await?;
    }
    Ok(())
}

pub async fn complete_inspection(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &DoneInput,
) -> Result<Inspection, WebError> {
    let ins = visible_inspection(state, ctx, id).await?;
    ctx.require_role(sv::INSPECTORS, &ins.region)?;
    Ok(state
        .store
        .complete_inspection(id, &i.done_on, &i.findings, actor(ctx), state.now())
        .await?)
}

pub async fn visible_inspection(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<Inspection, WebError> {
    let i = state
        .store
        .inspection(id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &i.region)?;
    Ok(i)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    pub region: Option<String>,
}

pub async fn inspections(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<Inspection>, WebError> {
    let scopes = crate::projects::scopes(ctx, opt(&q.region))?;
    Ok(state.store.inspections(&scopes, 500).await?)
}

/// One county's quarters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountyCoverage {
    pub county: String,
    pub name: String,
    #[schema(value_type = Vec<CoverageCellSchema>)]
    pub quarters: Vec<CoverageCell>,
}

/// The OpenAPI description of [`CoverageCell`] (core derives no schemas): one county in one
/// quarter.
#[derive(utoipa::ToSchema)]
#[schema(as = CoverageCell)]
#[allow(dead_code)]
pub struct CoverageCellSchema {
    quarter: QuarterSchema,
    inspections: u32,
    /// Fewer inspections than the rule asks; for the current quarter this is "not yet".
    behind: bool,
    /// The quarter is still running.
    current: bool,
}

/// A calendar quarter: `year` and `q` (1-4).
#[derive(utoipa::ToSchema)]
#[schema(as = Quarter)]
#[allow(dead_code)]
pub struct QuarterSchema {
    year: i32,
    q: u8,
}

/// The quarterly coverage of every county the caller sees: the current quarter and the three
/// before it.
pub async fn coverage(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<CountyCoverage>, WebError> {
    let scopes = crate::projects::scopes(ctx, opt(&q.region))?;
    let mut counties = Vec::new();
    for s in &scopes {
        if s.level() >= Level::County {
            if let Some(c) = s.ancestor_at(Level::County).or(Some(*s))
                && c.level() == Level::County
            {
                counties.push(c);
            }
            continue;
        }
        let mut stack = vec![*s];
        while let Some(r) = stack.pop() {
            for c in state.store.region_children(&r).await? {
                if c.level == Level::County {
                    counties.push(c.code);
                } else if c.level < Level::County {
                    stack.push(c.code);
                }
            }
        }
    }
    counties.sort();
    counties.dedup();
    let days: Vec<(String, i64)> = state
        .store
        .inspection_days(&scopes)
        .await?
        .into_iter()
        .filter_map(|(c, d)| {
            sunledger_core::day::parse("done_on", &d)
                .ok()
                .map(|d| (c, d))
        })
        .collect();
    let keys: Vec<String> = counties
        .iter()
        .map(|c| c.county_code().to_string())
        .collect();
    let today = sunledger_core::day::today(state.now());
    let mut out = Vec::new();
    for (code, cells) in sv::coverage(&keys, &days, today, 3, sv::CoverageRule::default()) {
        let name = match counties.iter().find(|c| c.county_code() == code) {
            Some(c) => state
                .store
                .region(c)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push(CountyCoverage {
            county: code,
            name,
            quarters: cells,
        });
    }
    Ok(out)
}

// --- Spot checks --------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DrawInput {
    /// The city (or province) whose counties are sampled.
    pub region: String,
    /// The round, e.g. `2026-11`: no household is drawn twice in one round.
    pub round: String,
    /// The published seed (e.g. the date and a number drawn in public).
    pub seed: String,
    #[serde(default)]
    pub villages_per_county: Option<u32>,
    #[serde(default)]
    pub poor_per_village: Option<u32>,
    #[serde(default)]
    pub non_poor_per_village: Option<u32>,
}

pub async fn draw(state: &AppState, ctx: &Ctx, i: &DrawInput) -> Result<SpotDraw, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sv::SAMPLERS, &region)?;
    let d = SampleRules::default();
    let rules = SampleRules {
        villages_per_county: i.villages_per_county.unwrap_or(d.villages_per_county),
        poor_per_village: i.poor_per_village.unwrap_or(d.poor_per_village),
        non_poor_per_village: i.non_poor_per_village.unwrap_or(d.non_poor_per_village),
    };
    Ok(state
        .store
        .create_draw(&region, &i.round, &i.seed, &rules, actor(ctx), state.now())
        .await?)
}

pub async fn draws(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<SpotDraw>, WebError> {
    let scopes = crate::projects::scopes(ctx, opt(&q.region))?;
    Ok(state.store.draws(&scopes).await?)
}

// --- Book 3 -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct ProblemInput {
    /// The responsible unit's region.
    pub region: String,
    #[serde(default)]
    pub inspection_id: Option<i64>,
    #[serde(default)]
    pub project_id: Option<i64>,
    /// For "double investigation of one case": the case whose leaders' supervisory duty this
    /// reviews.
    #[serde(default)]
    pub review_of: Option<i64>,
    /// task_implementation, four_winds, corruption, fund_management, targeting, cadre_style,
    /// objectives, public_complaints.
    pub category: String,
    /// minor, general, serious, critical.
    pub severity: String,
    pub title: String,
    pub description: String,
    /// The responsible unit.
    pub department_id: i64,
    #[serde(default)]
    pub person_id: Option<i64>,
    /// Yuan involved, e.g. "120000.00" (default 0).
    #[serde(default)]
    pub amount: String,
    /// YYYY-MM-DD.
    pub deadline: String,
}

pub async fn create_problem(
    state: &AppState,
    ctx: &Ctx,
    i: &ProblemInput,
) -> Result<Problem, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sv::INSPECTORS, &region)?;
    own_opt(
        state,
        ctx,
        "inspection_id",
        i.inspection_id.map(Named::Inspection),
    )
    .await?;
    own_opt(state, ctx, "project_id", i.project_id.map(Named::Project)).await?;
    own_opt(state, ctx, "review_of", i.review_of.map(Named::Problem)).await?;
    own_ref(
        state,
        ctx,
        "department_id",
        Named::Department(i.department_id),
    )
    .await?;
    own_opt(state, ctx, "person_id", i.person_id.map(Named::Person)).await?;
    let amount = if i.amount.trim().is_empty() {
        Money::from_fen(0)
    } else {
        Money::parse_yuan(&i.amount)?
    };
    Ok(state
        .store
        .create_problem(
            &NewProblem {
                region,
                inspection_id: i.inspection_id,
                project_id: i.project_id,
                review_of: i.review_of,
                category: ProblemCategory::parse(&i.category)?,
                severity: Severity::parse(&i.severity)?,
                title: i.title.clone(),
                description: i.description.clone(),
                department_id: i.department_id,
                person_id: i.person_id,
                amount,
                deadline: i.deadline.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn visible_problem(state: &AppState, ctx: &Ctx, id: i64) -> Result<Problem, WebError> {
    let p = state.store.problem(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &p.region)?;
    Ok(p)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProblemActionInput {
    /// start, submit (with evidence), verify, reject (with reason), reopen (with reason).
    pub action: String,
    #[serde(default)]
    pub text: String,
}

pub async fn problem_action(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ProblemActionInput,
) -> Result<Problem, WebError> {
    let p = visible_problem(state, ctx, id).await?;
    let a = ProblemAction::parse(&i.action)?;
    ctx.require_role(a.roles(), &p.region)?;
    Ok(state
        .store
        .problem_action(id, a, &i.text, actor(ctx), state.now())
        .await?)
}

/// Filters of Book 3.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    pub region: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub inspection: Option<String>,
    pub department: Option<String>,
    /// `1`: only problems past their deadline today.
    pub overdue: Option<String>,
    /// `1`: only problems not closed.
    pub open: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl ProblemQuery {
    pub fn filter(&self, state: &AppState, ctx: &Ctx) -> Result<ProblemFilter, WebError> {
        Ok(ProblemFilter {
            scopes: crate::projects::scopes(ctx, opt(&self.region))?,
            state: opt(&self.state)
                .map(|s| sv::ProblemState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            category: opt(&self.category)
                .map(|s| ProblemCategory::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            inspection_id: opt_i64("inspection", &self.inspection)?,
            department_id: opt_i64("department", &self.department)?,
            overdue_on: (opt(&self.overdue) == Some("1"))
                .then(|| sunledger_core::day::format(sunledger_core::day::today(state.now()))),
            open_only: opt(&self.open) == Some("1"),
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
pub struct ProblemLedger {
    pub problems: Vec<Problem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub today: String,
}

pub async fn problems(
    state: &AppState,
    ctx: &Ctx,
    q: &ProblemQuery,
) -> Result<ProblemLedger, WebError> {
    let f = q.filter(state, ctx)?;
    let page = q.page();
    let (problems, total) = state.store.problems(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(ProblemLedger {
        problems,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        today: sunledger_core::day::format(sunledger_core::day::today(state.now())),
    })
}

pub async fn all_problems(
    state: &AppState,
    ctx: &Ctx,
    q: &ProblemQuery,
) -> Result<Vec<Problem>, WebError> {
    let f = q.filter(state, ctx)?;
    crate::ops::all_pages(|offset| state.store.problems(&f, 1000, offset)).await
}

/// A problem's page: its record and the steps due now by the rules.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    #[serde(flatten)]
    pub record: ProblemRecord,
    /// Steps the rules make due today (not yet taken).
    pub due: Vec<String>,
    pub overdue_days: i64,
    pub today: String,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: i64) -> Result<ProblemView, WebError> {
    let p = visible_problem(state, ctx, id).await?;
    let record = state
        .store
        .problem_record(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let due = state
        .store
        .due_escalations(&[p.region], &rules(), state.now())
        .await?
        .into_iter()
        .find(|(x, _)| x.id == id)
        .map(|(_, s)| s.iter().map(|s| s.key().to_string()).collect())
        .unwrap_or_default();
    let today = sunledger_core::day::today(state.now());
    let deadline = sunledger_core::day::parse("deadline", &p.deadline)?;
    Ok(ProblemView {
        record,
        due,
        overdue_days: if p.state == "closed" {
            0
        } else {
            (today - deadline).max(0)
        },
        today: sunledger_core::day::format(today),
    })
}

// --- The escalation ladder ------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
pub struct EscalationInput {
    /// reminder_letter, supervision_letter, suggestion_letter, work_interview,
    /// warning_interview, suspend_payment, informed_criticism, discipline_referral,
    /// judicial_referral.
    pub step: String,
    pub document_no: String,
    pub issuing_unit: String,
    #[serde(default)]
    pub content: String,
    /// Interviews: who attended.
    #[serde(default)]
    pub attendees: String,
    /// Interviews: the new deadline.
    #[serde(default)]
    pub new_deadline: Option<String>,
    pub responsible_person: String,
    /// Informed criticism: assessment points deducted (1-100).
    #[serde(default)]
    pub deduction_points: Option<i64>,
    /// The proposal this confirms.
    #[serde(default)]
    pub proposal_id: Option<i64>,
}

pub async fn escalate(
    state: &AppState,
    ctx: &Ctx,
    problem_id: i64,
    i: &EscalationInput,
) -> Result<Escalation, WebError> {
    let p = visible_problem(state, ctx, problem_id).await?;
    let step = Step::parse(&i.step)?;
    ctx.require_role(step.roles(), &p.region)?;
    if let Some(pid) = i.proposal_id {
        // Another problem's proposal and an unknown one are refused alike.
        match state.store.proposal(pid).await? {
            Some(pr) if pr.problem_id == problem_id => {}
            _ => {
                return Err(WebError::invalid(
                    "proposal_id",
                    "not_an_open_proposal",
                    pid.to_string(),
                ));
            }
        }
    }
    Ok(state
        .store
        .escalate(
            &NewEscalation {
                problem_id,
                step: step.key().to_string(),
                document_no: i.document_no.clone(),
                issuing_unit: i.issuing_unit.clone(),
                content: i.content.clone(),
                attendees: i.attendees.clone(),
                new_deadline: i.new_deadline.clone(),
                responsible_person: i.responsible_person.clone(),
                deduction_points: i.deduction_points,
                proposal_id: i.proposal_id,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn visible_escalation(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Escalation, Problem), WebError> {
    let e = state
        .store
        .escalation(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let p = visible_problem(state, ctx, e.problem_id).await?;
    Ok((e, p))
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    pub outcome: String,
}

pub async fn outcome(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &OutcomeInput,
) -> Result<Escalation, WebError> {
    let (e, p) = visible_escalation(state, ctx, id).await?;
    ctx.require_role(Step::parse(&e.step)?.roles(), &p.region)?;
    Ok(state
        .store
        .record_outcome(id, &i.outcome, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DismissInput {
    pub reason: String,
}

pub async fn dismiss(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &DismissInput,
) -> Result<Proposal, WebError> {
    let pr = state.store.proposal(id).await?.ok_or(WebError::NotFound)?;
    let p = visible_problem(state, ctx, pr.problem_id).await?;
    ctx.require_role(Step::parse(&pr.step)?.roles(), &p.region)?;
    Ok(state
        .store
        .dismiss_proposal(id, &i.reason, actor(ctx), state.now())
        .await?)
}

/// Proposals waiting for a decision in the caller's areas, with their problems.
pub async fn open_proposals(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(Proposal, Problem)>, WebError> {
    let scopes = crate::projects::scopes(ctx, None)?;
    let (problems, _) = state
        .store
        .problems(
            &ProblemFilter {
                scopes,
                open_only: true,
                ..Default::default()
            },
            1000,
            0,
        )
        .await?;
    let mut out = Vec::new();
    for p in problems {
        if let Some(r) = state.store.problem_record(p.id).await? {
            for pr in r.proposals.into_iter().filter(|x| x.decision.is_none()) {
                out.push((pr, p.clone()));
            }
        }
    }
    Ok(out)
}

// --- Exports ------------------------------------------------------------------------------------

pub fn problem_table(lang: Lang, rows: &[Problem]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.problem.id",
        "export.problem.title",
        "export.problem.category",
        "export.problem.severity",
        "export.problem.region_code",
        "export.problem.department",
        "export.problem.person",
        "export.problem.amount",
        "export.problem.deadline",
        "export.problem.first_deadline",
        "export.problem.state",
        "export.problem.inspection",
        "export.problem.project",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.title.clone(),
                t(lang, &format!("problem.category.{}", p.category)),
                t(lang, &format!("problem.severity.{}", p.severity)),
                p.region.as_str().to_string(),
                p.department_name.clone(),
                p.person_name.clone().unwrap_or_default(),
                Money::from_fen(p.amount_fen).to_string(),
                p.deadline.clone(),
                p.first_deadline.clone(),
                t(lang, &format!("problem.state.{}", p.state)),
                p.inspection_id.map(|i| i.to_string()).unwrap_or_default(),
                p.project_id.map(|i| i.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}

pub fn inspection_table(lang: Lang, rows: &[Inspection]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.inspection.id",
        "export.inspection.title",
        "export.inspection.kind",
        "export.inspection.region_code",
        "export.inspection.team",
        "export.inspection.lead",
        "export.inspection.targets",
        "export.inspection.planned_on",
        "export.inspection.done_on",
        "export.inspection.findings",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.title.clone(),
                t(lang, &format!("inspection.kind.{}", i.kind)),
                i.region.as_str().to_string(),
                i.team.clone(),
                i.lead_departments
                    .iter()
                    .map(|k| t(lang, &format!("dept.kind.{k}")))
                    .collect::<Vec<_>>()
                    .join("、"),
                i.targets.clone(),
                i.planned_on.clone(),
                i.done_on.clone().unwrap_or_default(),
                i.findings.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}
