//! Project assets through the store, on both backends: registration and its refusals,
//! transfers and disposals on recorded decisions (four eyes on disposal), the registers' totals
//! (a property test: the county total is the sum of the village registers), `verify` over the
//! asset tables, and the pages and API through the real server.
mod model;
mod store;
mod verify;
mod web;

use crate::support::*;
use std::collections::HashSet;
use sunledger_core::DomainError;
use sunledger_core::asset::{
    AssetAction, AssetClass, Decision, DisposalKind, Distribution, OwnerLevel, ShareHolder,
    ValueSplit,
};
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_core::project::{StageAction, StatusAction};
use sunledger_store::prelude::*;
use sunledger_store::{
    Asset, AssetOwner, AssetStep, AuthEventKind, NewAsset, NewAuthEvent, NewHousehold, NewUser,
    StoreError,
};

/// 2026-06-01 20:00 UTC, already 2026-06-02 in Beijing.
const NOW: i64 = 1_780_344_000;
const DAY: i64 = 86_400;
const K: &str = "529121"; // 云岭县
const T: &str = "529121100";
const V: &str = "529121100201";
const V2: &str = "529121100202";
/// A village of another township of the same county.
const V3: &str = "529121101201";
/// A village of another county.
const OTHER_V: &str = "529122100201";

async fn setup(s: &dyn Store) {
    let mut want = HashSet::new();
    for c in [K, T, V, V2, V3, OTHER_V] {
        want.extend(rc(c).lineage());
    }
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    s.upsert_regions(&rows, NOW).await.unwrap();
}

async fn user(s: &dyn Store, name: &str) -> i64 {
    s.create_user(
        &NewUser {
            username: name.into(),
            display_name: format!("{name} 姓名"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            region: rc(K),
            person_id: None,
        },
        &NewAuthEvent {
            at: NOW,
            kind: AuthEventKind::UserAdded,
            region: Some(rc(K)),
            username: Some(name.into()),
            user_id: None,
            actor_id: None,
            ip: None,
            detail: String::new(),
        },
    )
    .await
    .expect("user")
    .id
}

/// A project of `village` taken along the declaration path and its status to `upto` (the
/// statuses after approval, in order: start, complete, accept, evaluate). Its budget is
/// 500 000.00 central special and 8 000.00 county budget.
async fn project(s: &dyn Store, village: &str, name: &str, upto: usize) -> i64 {
    let t0 = NOW - 60 * DAY;
    let p = s
        .create_library_project(&declarable(s, village, name, t0).await, true, None, t0)
        .await
        .unwrap();
    s.project_step(p.id, StageAction::TownshipApprove, "", None, t0)
        .await
        .unwrap();
    s.project_step(p.id, StageAction::CountyApprove, "", None, t0 + 10 * DAY)
        .await
        .unwrap();
    let m = s
        .add_milestone(p.id, "完工", 100, None, None, t0)
        .await
        .unwrap();
    let done = sunledger_core::day::format(sunledger_core::day::today(t0 + 20 * DAY));
    for (i, a) in [
        StatusAction::Start,
        StatusAction::Complete,
        StatusAction::Accept,
        StatusAction::Evaluate,
    ]
    .into_iter()
    .take(upto)
    .enumerate()
    {
        if i == 1 {
            s.report_progress(m.id, 100, &done, "完工", None, t0 + 20 * DAY)
                .await
                .unwrap();
        }
        if a == StatusAction::Accept {
            crate::support::accept_through_book4(s, p.id, t0 + 20 * DAY).await;
            continue;
        }
        if a == StatusAction::Evaluate {
            crate::support::evaluate_through_book4(s, p.id, t0 + 40 * DAY).await;
            continue;
        }
        s.project_status_step(p.id, a, "", None, t0 + 20 * DAY)
            .await
            .unwrap();
    }
    p.id
}

/// Households of `village` (ids in order).
async fn households(s: &dyn Store, village: &str, n: u64, from: u64) -> Vec<i64> {
    let hs: Vec<NewHousehold> = (0..n)
        .map(|i| NewHousehold {
            village: rc(village),
            head_name: format!("户主{}", from + i),
            id_number: id_number(from + i),
            poor: i % 2 == 0,
            size: 3,
        })
        .collect();
    s.create_households(&hs, NOW).await.unwrap();
    s.households_in(&rc(village))
        .await
        .unwrap()
        .into_iter()
        .filter(|h| hs.iter().any(|n| n.id_number.as_str() == h.id_number))
        .map(|h| h.id)
        .collect()
}

fn fen(n: i64) -> Money {
    Money::from_fen(n)
}

fn split(central: i64, county: i64) -> ValueSplit {
    let mut v = vec![];
    if central > 0 {
        v.push((FundSource::CentralSpecial, fen(central)));
    }
    if county > 0 {
        v.push((FundSource::CountyBudget, fen(county)));
    }
    ValueSplit::new(v).unwrap()
}

fn owner(level: OwnerLevel, region: &str, household: Option<i64>) -> AssetOwner {
    AssetOwner {
        level,
        region: (!region.is_empty()).then(|| rc(region)),
        household_id: household,
        custodian: format!("{}管护组", level.key()),
        custodian_person: "李管护".into(),
    }
}

fn plan() -> Distribution {
    Distribution::new(vec![
        (ShareHolder::VillageCollective, 60),
        (ShareHolder::PoorHouseholds, 30),
        (ShareHolder::MaintenanceFund, 10),
    ])
    .unwrap()
}

/// A new asset of `class` owned by `o`, worth `value`.
fn new_asset(project_id: i64, class: AssetClass, o: AssetOwner, value: ValueSplit) -> NewAsset {
    NewAsset {
        project_id,
        name: format!("{}资产", class.key()),
        class,
        quantity: "1".into(),
        unit: "座".into(),
        value,
        distribution: (class == AssetClass::Productive).then(plan),
        owner: o,
    }
}

fn decision() -> Decision {
    Decision::new(
        "meeting",
        "2026-05-20",
        "村民代表大会纪要〔2026〕5号",
        "移交村集体管护",
        sunledger_core::day::today(NOW),
    )
    .unwrap()
}

fn transfer(o: AssetOwner) -> AssetStep {
    AssetStep {
        action: AssetAction::Transfer,
        decision: decision(),
        owner: Some(o),
        disposal_kind: None,
        proceeds: None,
    }
}

fn dispose(kind: DisposalKind) -> AssetStep {
    AssetStep {
        action: AssetAction::Dispose,
        decision: decision(),
        owner: None,
        disposal_kind: Some(kind),
        proceeds: Some(fen(120_000)),
    }
}

/// The field and reason of a refusal.
fn refusal<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, &'static str) {
    match r {
        Err(StoreError::Rule(DomainError::Invalid { field, reason, .. })) => (field, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The sum of the village registers' totals in `f` (count, fen).
fn sum_totals(ts: &[sunledger_store::AssetTotal]) -> (i64, i64) {
    ts.iter()
        .fold((0, 0), |(c, v), t| (c + t.count, v + t.value_fen))
}

#[allow(dead_code)]
fn in_service(a: &Asset) -> bool {
    a.state != "disposed"
}
