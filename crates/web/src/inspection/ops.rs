//! Inspections and their quarterly coverage, and spot-check draws.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::{Named, actor, opt, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::inspection::{CoverageCell, SampleRules};
use sunledger_core::{DepartmentKind, Level, Permission};
use sunledger_store::{Inspection, NewInspection, SpotDraw};

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
    /// Why it was done before `planned_on` (needed then).
    #[serde(default)]
    pub done_reason: Option<String>,
}

pub async fn create_inspection(
    state: &AppState,
    ctx: &Ctx,
    i: &InspectionInput,
) -> Result<Inspection, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sunledger_core::access::INSPECTORS, &region)?;
    check_targets(state, ctx, &i.targets).await?;
    let lead = i
        .lead_departments
        .iter()
        .map(|k| DepartmentKind::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    // A completion is checked whole before anything is booked: a day without findings (or
    // findings without a day) is refused, not dropped.
    let done = match (opt(&i.done_on), opt(&i.findings)) {
        (None, None) => None,
        (Some(d), f) => {
            let planned = sunledger_core::day::parse("planned_on", &i.planned_on)?;
            sunledger_core::inspection::Completion::new(
                d,
                f.unwrap_or(""),
                opt(&i.done_reason),
                planned,
                sunledger_core::day::today(state.now()),
            )?;
            Some((d, f.unwrap_or("")))
        }
        (None, Some(_)) => return Err(WebError::invalid("done_on", "empty", "")),
    };
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
    match done {
        Some((d, f)) => Ok(state
            .store
            .complete_inspection(ins.id, d, f, opt(&i.done_reason), actor(ctx), state.now())
            .await?),
        None => Ok(ins),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DoneInput {
    pub done_on: String,
    pub findings: String,
    /// Why it was done before its planned day (needed then).
    #[serde(default)]
    pub done_reason: Option<String>,
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
    ctx.require_role(sunledger_core::access::INSPECTORS, &ins.region)?;
    Ok(state
        .store
        .complete_inspection(
            id,
            &i.done_on,
            &i.findings,
            opt(&i.done_reason),
            actor(ctx),
            state.now(),
        )
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
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    Ok(state.store.inspections(&scopes, 500).await?)
}

/// Page `page_no` of the inspections (`size` a page) and how many there are in all.
pub async fn inspections_page(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
    page_no: i64,
    size: i64,
) -> Result<(Vec<Inspection>, i64), WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    let offset = crate::app::page::Pager::offset(page_no, size);
    Ok(state.store.inspections_page(&scopes, size, offset).await?)
}

/// Every inspection, for the downloads.
pub async fn all_inspections(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<Inspection>, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    ops::all_pages(|offset| state.store.inspections_page(&scopes, 1000, offset)).await
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

/// The quarterly coverage of every county the caller sees (or the county of the township or
/// village it is filtered to): the current quarter and the three before it.
pub async fn coverage(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<CountyCoverage>, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
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
    // The rule is the county's: a county's quarter is covered by an inspection anywhere in it, so
    // the rows count the whole county's inspections even when the view is filtered to a township
    // or village in it (issue 15: they showed 0 there).
    let days: Vec<(String, i64)> = state
        .store
        .inspection_days(&counties)
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
    for (code, cells) in sunledger_core::inspection::coverage(
        &keys,
        &days,
        today,
        3,
        sunledger_core::inspection::CoverageRule::default(),
    ) {
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
    /// The round, e.g. `2026-11`: a round is drawn once (see `replace_reason`).
    pub round: String,
    /// The published seed (e.g. the date and a number drawn in public).
    pub seed: String,
    #[serde(default)]
    pub villages_per_county: Option<u32>,
    #[serde(default)]
    pub poor_per_village: Option<u32>,
    #[serde(default)]
    pub non_poor_per_village: Option<u32>,
    /// A round is drawn once: a second draw of it replaces the first only with this reason
    /// (both stay in the log and on the page).
    #[serde(default)]
    pub replace_reason: Option<String>,
}

pub async fn draw(state: &AppState, ctx: &Ctx, i: &DrawInput) -> Result<SpotDraw, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require_role(sunledger_core::inspection::SAMPLERS, &region)?;
    let d = SampleRules::default();
    let rules = SampleRules {
        villages_per_county: i.villages_per_county.unwrap_or(d.villages_per_county),
        poor_per_village: i.poor_per_village.unwrap_or(d.poor_per_village),
        non_poor_per_village: i.non_poor_per_village.unwrap_or(d.non_poor_per_village),
    };
    Ok(state
        .store
        .create_draw(
            &region,
            &i.round,
            &i.seed,
            &rules,
            i.replace_reason.as_deref(),
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn draws(
    state: &AppState,
    ctx: &Ctx,
    q: &RegionQuery,
) -> Result<Vec<SpotDraw>, WebError> {
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    Ok(state.store.draws(&scopes).await?)
}

/// Every draw, for the public: the seed, the rules, the sample and the population it drew from
/// are published so that anyone can re-derive it (household numbers only, never names).
pub async fn public_draws(state: &AppState) -> Result<Vec<SpotDraw>, WebError> {
    let roots: Vec<sunledger_core::RegionCode> = state
        .store
        .region_roots()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    Ok(state.store.draws(&roots).await?)
}

/// The population a draw drew from, as published text.
pub async fn draw_population(state: &AppState, id: i64) -> Result<String, WebError> {
    match state.store.draw(id).await? {
        Some((_, Some(p))) => Ok(p),
        _ => Err(WebError::NotFound),
    }
}
