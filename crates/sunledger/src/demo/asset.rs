//! The demo's project assets: the county bureau of 云岭县 registers what its accepted and
//! evaluated projects produced (every class; a productive asset with its income distribution),
//! one asset changes custodian on a village meeting's decision and one is disposed of on the
//! county's document, approved by the county government (not by the one who registered it).
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::asset::{
    AssetAction, AssetClass, Decision, DisposalKind, Distribution, OwnerLevel, ShareHolder,
    ValueSplit,
};
use sunledger_core::day;
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_core::{Level, RegionCode};
use sunledger_store::{AssetOwner, AssetStep, NewAsset, Project, ProjectFilter, Store};

/// The county whose assets the demo registers (云岭县).
const COUNTY: &str = "529121";

/// `percent` of each line of the project's approved budget (at least one fen per line).
async fn share_of_budget(store: &dyn Store, p: &Project, percent: i64) -> Result<ValueSplit> {
    let rec = store
        .project_record(p.id)
        .await?
        .context("the project's record")?;
    let version = p.approved_version.unwrap_or(p.version);
    let lines = rec
        .versions
        .iter()
        .find(|v| v.version == version)
        .map(|v| v.budget.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for l in lines {
        out.push((
            FundSource::parse(&l.source)?,
            Money::from_fen((l.amount_fen * percent / 100).max(1)),
        ));
    }
    Ok(ValueSplit::new(out)?)
}

async fn projects(store: &dyn Store, county: &RegionCode, status: &str) -> Result<Vec<Project>> {
    Ok(store
        .projects(
            &ProjectFilter {
                scopes: vec![*county],
                status: Some(status.into()),
                ..Default::default()
            },
            50,
            0,
        )
        .await?
        .0
        .into_iter()
        .filter(|p| p.region.level() == Level::Village)
        .collect())
}

fn owner(level: OwnerLevel, region: RegionCode, custodian: &str, person: &str) -> AssetOwner {
    AssetOwner {
        level,
        region: Some(region),
        household_id: None,
        custodian: custodian.into(),
        custodian_person: person.into(),
    }
}

/// Books the assets; nothing when 云岭县 has fewer than two accepted village projects.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let county = RegionCode::parse(COUNTY)?;
    let user = |name: &'static str| async move {
        Ok::<_, anyhow::Error>(store.user_by_username(name).await?.map(|u| u.id))
    };
    let bureau = user("yunling.bureau").await?;
    let government = user("yunling.party").await?;
    let accepted = projects(store, &county, "accepted").await?;
    // Two accepted projects (Book 4's demo accepts them before assets are registered).
    let (Some(a), Some(e)) = (accepted.first(), accepted.get(1)) else {
        return Ok(());
    };
    let at = |days_ago: i64| city.now - days_ago * DAY;
    let register = |n: NewAsset, days_ago: i64| async move {
        store
            .register_asset(&n, bureau, at(days_ago))
            .await
            .with_context(|| format!("registering the demo asset {}", n.name))
    };
    let village = a.region;

    // A productive asset: the village's PV station, its income shared 60 / 30 / 10.
    let pv = register(
        NewAsset {
            project_id: a.id,
            name: "村级光伏电站".into(),
            class: AssetClass::Productive,
            quantity: "1".into(),
            unit: "座".into(),
            value: share_of_budget(store, a, 60).await?,
            distribution: Some(Distribution::new(vec![
                (ShareHolder::VillageCollective, 60),
                (ShareHolder::PoorHouseholds, 30),
                (ShareHolder::MaintenanceFund, 10),
            ])?),
            owner: owner(
                OwnerLevel::Village,
                village,
                "村股份经济合作社",
                "村委会主任",
            ),
        },
        40,
    )
    .await?;
    // Public welfare assets of the second accepted project: the village's road, the township's canal.
    register(
        NewAsset {
            project_id: e.id,
            name: "村组硬化道路".into(),
            class: AssetClass::PublicWelfare,
            quantity: "3.2".into(),
            unit: "公里".into(),
            value: share_of_budget(store, e, 50).await?,
            distribution: None,
            owner: owner(OwnerLevel::Village, e.region, "村民委员会", "护路员"),
        },
        38,
    )
    .await?;
    let canal = register(
        NewAsset {
            project_id: e.id,
            name: "灌溉支渠".into(),
            class: AssetClass::PublicWelfare,
            quantity: "800".into(),
            unit: "米".into(),
            value: share_of_budget(store, e, 20).await?,
            distribution: None,
            owner: owner(
                OwnerLevel::Township,
                e.region.parent().context("the township")?,
                "乡水利站",
                "站长",
            ),
        },
        38,
    )
    .await?;
    // A county-owned asset of a third accepted project, when there is one.
    if let Some(c) = accepted.get(2) {
        register(
            NewAsset {
                project_id: c.id,
                name: "集中供水工程".into(),
                class: AssetClass::PublicWelfare,
                quantity: "1".into(),
                unit: "处".into(),
                value: share_of_budget(store, c, 40).await?,
                distribution: None,
                owner: owner(OwnerLevel::County, county, "县水务局", "供水站负责人"),
            },
            36,
        )
        .await?;
    }
    // A household asset: breeding cows given to a household of the register in the village.
    let household = store.households_in(&village).await?.into_iter().next();
    let cow = match household {
        Some(h) => Some(
            register(
                NewAsset {
                    project_id: a.id,
                    name: "能繁母牛".into(),
                    class: AssetClass::Household,
                    quantity: "2".into(),
                    unit: "头".into(),
                    value: share_of_budget(store, a, 5).await?,
                    distribution: None,
                    owner: AssetOwner {
                        level: OwnerLevel::Household,
                        region: None,
                        household_id: Some(h.id),
                        custodian: h.head_name.clone(),
                        custodian_person: h.head_name.clone(),
                    },
                },
                35,
            )
            .await?,
        ),
        None => None,
    };

    // The PV station changes custodian on the village meeting's decision.
    let today = |days_ago: i64| day::today(at(days_ago));
    store
        .asset_step(
            pv.id,
            &AssetStep {
                action: AssetAction::Transfer,
                decision: Decision::new(
                    "meeting",
                    &day::format(today(21)),
                    "村民代表大会纪要〔2026〕7号",
                    "合作社成立，电站移交合作社运营管护",
                    today(20),
                )?,
                owner: Some(owner(
                    OwnerLevel::Village,
                    village,
                    "光伏发电专业合作社",
                    "合作社理事长",
                )),
                disposal_kind: None,
                proceeds: None,
            },
            bureau,
            at(20),
        )
        .await
        .context("the demo transfer")?;
    // One disposal, approved by the county government on its document.
    let (gone, kind, reason) = match &cow {
        Some(c) => (c.id, DisposalKind::Loss, "母牛病死，经兽医站鉴定，核销"),
        None => (canal.id, DisposalKind::Scrap, "山洪冲毁，无修复价值，报废"),
    };
    store
        .asset_step(
            gone,
            &AssetStep {
                action: AssetAction::Dispose,
                decision: Decision::new(
                    "document",
                    &day::format(today(11)),
                    "云扶领〔2026〕12号",
                    reason,
                    today(10),
                )?,
                owner: None,
                disposal_kind: Some(kind),
                proceeds: None,
            },
            government,
            at(10),
        )
        .await
        .context("the demo disposal")?;
    Ok(())
}
