//! Red flags' operations: who sees and handles a flag, the queue's filters, the rules with the
//! values in force, settings documents and scans.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, actor, opt};
use serde::{Deserialize, Serialize};
use sunledger_core::flag::{self as rules, FlagAction, FlagState, Settings, Severity};
use sunledger_core::{Level, Permission, RegionCode, Role};
use sunledger_store::{
    Flag, FlagFilter, FlagRecord, FlagScan, FlagSettings, RuleCount, ScanReport,
};

/// Who handles a flag (triage, dismiss, open a case): the discipline inspectors, the poverty
/// bureaus, finance, and the township for its own.
pub const HANDLERS: &[Role] = &[
    Role::Discipline,
    Role::PovertyBureau,
    Role::Finance,
    Role::MunicipalBureau,
    Role::TownshipOfficial,
];
/// Who sets a city's or county's parameters and runs a scan.
pub const SETTERS: &[Role] = &[
    Role::Discipline,
    Role::PovertyBureau,
    Role::Finance,
    Role::MunicipalBureau,
];

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<FlagRecord, WebError> {
    let r = state.store.flag(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.flag.region)?;
    Ok(r)
}

/// A step as typed: the action and the reason (a dismissal needs one).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepInput {
    /// triage, dismiss or open_case.
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &StepInput,
) -> Result<FlagRecord, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(HANDLERS, &r.flag.region)?;
    let action = FlagAction::parse(&i.action)?;
    Ok(state
        .store
        .flag_step(id, action, &i.reason, actor(ctx), state.now())
        .await?)
}

/// The steps `ctx` may take on a flag now.
pub fn steps(ctx: &Ctx, f: &Flag) -> Vec<&'static str> {
    let open = FlagState::parse(&f.state).is_ok_and(FlagState::is_open);
    if !open || !ctx.actor.has_role(HANDLERS, &f.region) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if f.state == FlagState::Open.key() {
        out.push(FlagAction::Triage.key());
    }
    out.push(FlagAction::Dismiss.key());
    out.push(FlagAction::OpenCase.key());
    out
}

/// Filters of the queue.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagQuery {
    pub region: Option<String>,
    /// open, triaged, dismissed or case_opened.
    pub state: Option<String>,
    /// A rule's id.
    pub rule: Option<String>,
    /// high, medium or low.
    pub severity: Option<String>,
    /// `1`: only open and triaged flags.
    pub open: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl FlagQuery {
    pub fn filter(&self, ctx: &Ctx) -> Result<FlagFilter, WebError> {
        Ok(FlagFilter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            state: opt(&self.state)
                .map(|s| FlagState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            rule: opt(&self.rule)
                .map(|s| rules::rule(s).map(|r| r.id.to_string()))
                .transpose()?,
            severity: opt(&self.severity)
                .map(|s| Severity::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
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
pub struct FlagList {
    pub flags: Vec<Flag>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(state: &AppState, ctx: &Ctx, q: &FlagQuery) -> Result<FlagList, WebError> {
    let f = q.filter(ctx)?;
    let page = q.page();
    let (flags, total) = state.store.flags(&f, PAGE, (page - 1) * PAGE).await?;
    Ok(FlagList {
        flags,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

pub async fn all(state: &AppState, ctx: &Ctx, q: &FlagQuery) -> Result<Vec<Flag>, WebError> {
    let f = q.filter(ctx)?;
    ops::all_pages(|offset| state.store.flags(&f, 1000, offset)).await
}

/// A parameter with its default and the value in force where the reader looks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParamView {
    pub key: String,
    pub zh: String,
    pub en: String,
    /// days, yuan, count or per_ten_thousand.
    pub unit: String,
    pub default: i64,
    pub value: i64,
    pub min: i64,
    pub max: i64,
    pub source: String,
}

/// A rule as its page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub id: String,
    pub group: String,
    pub zh: String,
    pub en: String,
    pub citation_zh: String,
    pub citation_en: String,
    pub severity: String,
    /// The Book 3 category a case opened from its flag has.
    pub category: String,
    pub params: Vec<ParamView>,
    pub counts: RuleCount,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RulesView {
    /// The county (or city) whose values are shown; none: the defaults.
    #[schema(value_type = Option<String>)]
    pub at: Option<RegionCode>,
    pub rules: Vec<RuleView>,
    /// The settings documents in force there, the city's first.
    pub settings: Vec<FlagSettings>,
    pub scans: Vec<FlagScan>,
}

/// The unit whose settings the reader sees: the county (or city) of `region`, else of the
/// reader's first scope.
fn settings_unit(ctx: &Ctx, region: Option<&str>) -> Result<Option<RegionCode>, WebError> {
    let scopes = ops::scopes(ctx, region)?;
    Ok(scopes.first().and_then(|s| {
        s.ancestor_at(Level::County)
            .or_else(|| s.ancestor_at(Level::City))
    }))
}

pub async fn rules_view(
    state: &AppState,
    ctx: &Ctx,
    region: Option<&str>,
) -> Result<RulesView, WebError> {
    let scopes = ops::scopes(ctx, region)?;
    let at = settings_unit(ctx, region)?;
    let settings = match &at {
        Some(u) => state.store.flag_settings(u).await?,
        None => Vec::new(),
    };
    let docs: Vec<Settings> = settings
        .iter()
        .map(|s| Settings::parse(&s.body))
        .collect::<Result<_, _>>()?;
    let layers: Vec<&Settings> = docs.iter().collect();
    let counts = state.store.flag_counts(&scopes).await?;
    let scans = state.store.flag_scans(&scopes, 10).await?;
    let rules = rules::RULES
        .iter()
        .map(|r| {
            let values = rules::values(r, &layers);
            RuleView {
                id: r.id.to_string(),
                group: r.group.key().to_string(),
                zh: r.zh.to_string(),
                en: r.en.to_string(),
                citation_zh: r.citation_zh.to_string(),
                citation_en: r.citation_en.to_string(),
                severity: r.severity.key().to_string(),
                category: r.category.key().to_string(),
                params: r
                    .params
                    .iter()
                    .map(|p| ParamView {
                        key: p.key.to_string(),
                        zh: p.zh.to_string(),
                        en: p.en.to_string(),
                        unit: p.unit.key().to_string(),
                        default: p.default,
                        value: values.get(p.key),
                        min: p.min,
                        max: p.max,
                        source: p.source.to_string(),
                    })
                    .collect(),
                counts: counts
                    .iter()
                    .find(|c| c.rule_id == r.id)
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(RulesView {
        at,
        rules,
        settings,
        scans,
    })
}

/// A settings document for a city or a county.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SettingsInput {
    /// The city or county code.
    pub region: String,
    /// `rule.param = value` lines (`#` starts a comment).
    pub body: String,
    /// Why (a document number, a decision).
    #[serde(default)]
    pub note: String,
}

pub async fn set_settings(
    state: &AppState,
    ctx: &Ctx,
    i: &SettingsInput,
) -> Result<FlagSettings, WebError> {
    ctx.require_user()?;
    let region = ops::own_ref(state, ctx, "region", ops::Named::Region(i.region.trim())).await?;
    ctx.require_role(SETTERS, &region)?;
    Ok(state
        .store
        .set_flag_settings(&region, &i.body, &i.note, actor(ctx), state.now())
        .await?)
}

/// A scan asked for by hand.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ScanInput {
    /// The region to scan (its counties).
    pub region: String,
    /// A rule's id; empty: every rule.
    #[serde(default)]
    pub rule: String,
}

pub async fn scan(state: &AppState, ctx: &Ctx, i: &ScanInput) -> Result<Vec<ScanReport>, WebError> {
    ctx.require_user()?;
    let region = ops::own_ref(state, ctx, "region", ops::Named::Region(i.region.trim())).await?;
    ctx.require_role(SETTERS, &region)?;
    let chosen: Vec<&'static rules::Rule> = match i.rule.trim() {
        "" => Vec::new(),
        id => vec![rules::rule(id)?],
    };
    let today = sunledger_core::day::today(state.now());
    Ok(state
        .store
        .scan_flags(&region, &chosen, today, actor(ctx), state.now(), &|_| {})
        .await?)
}
