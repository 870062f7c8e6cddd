//! Project assets: registering, transferring and disposing (the county bureau), the registers
//! and their totals.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt, opt_i64, own_ref};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use sunledger_core::asset::{
    ASSET_DISPOSERS, ASSET_KEEPERS, AssetAction, AssetClass, AssetState, Decision, DisposalKind,
    Distribution, OwnerLevel, ShareHolder, ValueSplit,
};
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_core::{Level, Permission, RegionCode};
use sunledger_store::{
    Asset, AssetFilter, AssetOwner, AssetRecord, AssetStep, AssetTotal, NewAsset,
};

/// A new asset of an accepted or evaluated project.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssetInput {
    pub project_id: i64,
    pub name: String,
    /// productive, public_welfare, household.
    pub class: String,
    /// A positive decimal, e.g. "3.2".
    pub quantity: String,
    /// 座, 公里, 头...
    pub unit: String,
    /// The original value by fund source, yuan: `{"central_special": "300000.00"}`. Per source,
    /// the project's assets together may not exceed its approved budget line.
    #[serde(default)]
    pub value: BTreeMap<String, String>,
    /// Income shares in whole percent summing to 100 (productive assets only):
    /// `{"village_collective": 60, "poor_households": 30, "maintenance_fund": 10}`.
    #[serde(default)]
    pub distribution: BTreeMap<String, i64>,
    #[serde(flatten)]
    pub owner: OwnerInput,
}

/// An owner and custodian.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OwnerInput {
    /// county, township, village or household.
    #[serde(default)]
    pub owner_level: String,
    /// The owning region's code (county, township or village owners).
    #[serde(default)]
    pub owner: Option<String>,
    /// The owning household (household assets).
    #[serde(default)]
    pub household_id: Option<i64>,
    /// 管护主体.
    #[serde(default)]
    pub custodian: String,
    /// The custodian's responsible person.
    #[serde(default)]
    pub custodian_person: String,
}

/// A transfer (new owner and custodian) or a disposal, on a recorded decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssetStepInput {
    /// transfer or dispose.
    pub action: String,
    /// meeting (with its date) or document (with its number).
    #[serde(default)]
    pub decision_kind: String,
    /// YYYY-MM-DD, not in the future (required for a meeting).
    #[serde(default)]
    pub decision_on: String,
    /// The minutes reference or the document number.
    #[serde(default)]
    pub decision_ref: String,
    #[serde(default)]
    pub reason: String,
    #[serde(flatten)]
    pub owner: OwnerInput,
    /// scrap, auction, sale, allocation, loss (disposals).
    #[serde(default)]
    pub disposal_kind: Option<String>,
    /// Yuan an auction or sale brought (disposals).
    #[serde(default)]
    pub proceeds: Option<String>,
}

fn county_of(r: &RegionCode) -> Result<RegionCode, WebError> {
    Ok(r.ancestor_at(Level::County).unwrap_or(*r))
}

async fn owner(state: &AppState, ctx: &Ctx, o: &OwnerInput) -> Result<AssetOwner, WebError> {
    if o.owner_level.trim().is_empty() {
        return Err(WebError::invalid("owner_level", "required", ""));
    }
    let level = OwnerLevel::parse(&o.owner_level)?;
    let region = match (level, opt(&o.owner)) {
        (OwnerLevel::Household, _) => None,
        (_, Some(r)) => Some(own_ref(state, ctx, "owner", Named::Region(r)).await?),
        (_, None) => return Err(WebError::invalid("owner", "required", "")),
    };
    let household_id = if level == OwnerLevel::Household {
        let h = o
            .household_id
            .ok_or_else(|| WebError::invalid("household_id", "required", ""))?;
        own_ref(state, ctx, "household_id", Named::Household(h)).await?;
        Some(h)
    } else {
        None
    };
    Ok(AssetOwner {
        level,
        region,
        household_id,
        custodian: o.custodian.clone(),
        custodian_person: o.custodian_person.clone(),
    })
}

pub async fn register(state: &AppState, ctx: &Ctx, i: &AssetInput) -> Result<Asset, WebError> {
    ctx.require_user()?;
    let region = own_ref(state, ctx, "project_id", Named::Project(i.project_id)).await?;
    ctx.require_role(ASSET_KEEPERS, &county_of(&region)?)?;
    let class = AssetClass::parse(&i.class)?;
    let mut lines = Vec::new();
    for (k, v) in &i.value {
        if v.trim().is_empty() {
            continue;
        }
        lines.push((FundSource::parse(k)?, Money::parse_yuan(v)?));
    }
    let value = ValueSplit::new(lines)?;
    let distribution = if i.distribution.values().all(|p| *p == 0) {
        None
    } else {
        let mut shares = Vec::new();
        for (k, p) in &i.distribution {
            if *p != 0 {
                shares.push((ShareHolder::parse(k)?, *p));
            }
        }
        Some(Distribution::new(shares)?)
    };
    let owner = owner(state, ctx, &i.owner).await?;
    Ok(state
        .store
        .register_asset(
            &NewAsset {
                project_id: i.project_id,
                name: i.name.clone(),
                class,
                quantity: i.quantity.clone(),
                unit: i.unit.clone(),
                value,
                distribution,
                owner,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Asset, WebError> {
    let a = state.store.asset(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &a.village)?;
    Ok(a)
}

pub async fn step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &AssetStepInput,
) -> Result<Asset, WebError> {
    let a = visible(state, ctx, id).await?;
    let action = AssetAction::parse(&i.action)?;
    let roles = match action {
        AssetAction::Transfer => ASSET_KEEPERS,
        AssetAction::Dispose => ASSET_DISPOSERS,
    };
    ctx.require_role(roles, &county_of(&a.village)?)?;
    let today = sunledger_core::day::today(state.now());
    let decision = Decision::new(
        &i.decision_kind,
        &i.decision_on,
        &i.decision_ref,
        &i.reason,
        today,
    )?;
    let (owner, disposal_kind, proceeds) = match action {
        AssetAction::Transfer => (Some(owner(state, ctx, &i.owner).await?), None, None),
        AssetAction::Dispose => {
            let k = opt(&i.disposal_kind)
                .ok_or_else(|| WebError::invalid("disposal_kind", "required", ""))?;
            let p = opt(&i.proceeds).map(Money::parse_yuan).transpose()?;
            (None, Some(DisposalKind::parse(k)?), p)
        }
    };
    Ok(state
        .store
        .asset_step(
            id,
            &AssetStep {
                action,
                decision,
                owner,
                disposal_kind,
                proceeds,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

/// Filters of the registers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetQuery {
    /// The county, township or village whose registers to show.
    pub region: Option<String>,
    pub class: Option<String>,
    pub owner_level: Option<String>,
    /// registered, transferred, disposed.
    pub state: Option<String>,
    pub project: Option<String>,
    pub page: Option<String>,
}

pub const PAGE: i64 = 50;

impl AssetQuery {
    pub fn filter(&self, ctx: &Ctx) -> Result<AssetFilter, WebError> {
        Ok(AssetFilter {
            scopes: ops::scopes(ctx, opt(&self.region))?,
            region: None,
            class: opt(&self.class)
                .map(|s| AssetClass::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            owner_level: opt(&self.owner_level)
                .map(|s| OwnerLevel::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            state: opt(&self.state)
                .map(|s| AssetState::parse(s).map(|s| s.key().to_string()))
                .transpose()?,
            project_id: opt_i64("project", &self.project)?,
            in_service: false,
        })
    }
    pub fn page(&self) -> i64 {
        opt(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

/// A total: how many assets in service and their original value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sum {
    /// A class, an owner level or a region code.
    pub key: String,
    pub count: i64,
    pub value_fen: i64,
}

/// The registers in the caller's areas (narrowed by the filters): a page of assets, and the
/// totals of the assets in service by class, by owner level and by region one level down
/// (townships of a county, villages of a township). The total is always the sum of the village
/// registers: a household asset counts in its household's village, a county or township asset
/// in its project's village.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetRegister {
    pub assets: Vec<Asset>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub by_class: Vec<Sum>,
    pub by_owner_level: Vec<Sum>,
    pub by_region: Vec<Sum>,
    pub in_service: Sum,
}

fn add(into: &mut Vec<Sum>, key: &str, t: &AssetTotal) {
    match into.iter_mut().find(|s| s.key == key) {
        Some(s) => {
            s.count += t.count;
            s.value_fen += t.value_fen;
        }
        None => into.push(Sum {
            key: key.to_string(),
            count: t.count,
            value_fen: t.value_fen,
        }),
    }
}

/// The totals of `totals`, one level below `region` for `by_region`.
pub fn sums(
    totals: &[AssetTotal],
    region: Option<&RegionCode>,
) -> (Vec<Sum>, Vec<Sum>, Vec<Sum>, Sum) {
    let mut by_class: Vec<Sum> = AssetClass::ALL
        .iter()
        .map(|c| Sum {
            key: c.key().into(),
            ..Sum::default()
        })
        .collect();
    let mut by_owner: Vec<Sum> = OwnerLevel::ALL
        .iter()
        .map(|c| Sum {
            key: c.key().into(),
            ..Sum::default()
        })
        .collect();
    let mut by_region = Vec::new();
    let mut all = Sum::default();
    let below = match region.map(|r| r.level()) {
        Some(Level::Township) | Some(Level::Village) => Level::Village,
        Some(Level::County) => Level::Township,
        _ => Level::County,
    };
    for t in totals {
        add(&mut by_class, &t.class, t);
        add(&mut by_owner, &t.owner_level, t);
        let r = t.village.ancestor_at(below).unwrap_or(t.village);
        add(&mut by_region, r.as_str(), t);
        all.count += t.count;
        all.value_fen += t.value_fen;
    }
    by_region.sort_by(|a, b| a.key.cmp(&b.key));
    (by_class, by_owner, by_region, all)
}

pub async fn register_view(
    state: &AppState,
    ctx: &Ctx,
    q: &AssetQuery,
) -> Result<AssetRegister, WebError> {
    let f = q.filter(ctx)?;
    let page = q.page();
    let (assets, total) = state.store.assets(&f, PAGE, (page - 1) * PAGE).await?;
    let totals = state.store.asset_totals(&f).await?;
    let region = opt(&q.region).map(ops::parse_region).transpose()?;
    let (by_class, by_owner_level, by_region, in_service) = sums(&totals, region.as_ref());
    Ok(AssetRegister {
        assets,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        by_class,
        by_owner_level,
        by_region,
        in_service,
    })
}

pub async fn all_assets(
    state: &AppState,
    ctx: &Ctx,
    q: &AssetQuery,
) -> Result<Vec<Asset>, WebError> {
    let f = q.filter(ctx)?;
    ops::all_pages(|offset| state.store.assets(&f, 1000, offset)).await
}

pub async fn record(state: &AppState, ctx: &Ctx, id: i64) -> Result<AssetRecord, WebError> {
    visible(state, ctx, id).await?;
    state
        .store
        .asset_record(id)
        .await?
        .ok_or(WebError::NotFound)
}

/// The public register of a village: its assets (no household's ID number, phone or account:
/// the asset rows hold none, and the household is named by its head only), with the totals.
pub async fn public_register(
    state: &AppState,
    village: &RegionCode,
) -> Result<(Vec<Asset>, Sum), WebError> {
    let f = AssetFilter {
        scopes: vec![*village],
        in_service: true,
        ..Default::default()
    };
    let assets = ops::all_pages(|offset| state.store.assets(&f, 1000, offset)).await?;
    let (_, _, _, all) = sums(&state.store.asset_totals(&f).await?, Some(village));
    Ok((assets, all))
}
