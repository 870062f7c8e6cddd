//! The property: after any sequence of registrations, transfers and disposals, the county total
//! equals the sum of the village registers (and of the township totals), and both equal what a
//! model of the assets in service says.
use super::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;
use sunledger_store::AssetFilter;

#[derive(Debug, Clone)]
enum Op {
    Register {
        class: usize,
        owner: usize,
        value: i64,
    },
    Transfer {
        asset: usize,
        to: usize,
    },
    Dispose {
        asset: usize,
    },
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => (0usize..3, 0usize..6, 1i64..100_000).prop_map(|(class, owner, value)| Op::Register { class, owner, value }),
        2 => (0usize..20, 0usize..6).prop_map(|(asset, to)| Op::Transfer { asset, to }),
        1 => (0usize..20).prop_map(|asset| Op::Dispose { asset }),
    ];
    prop::collection::vec(op, 1..25)
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

async fn check(kind: Kind, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let Some(db) = fresh_db(kind).await else {
        return Ok(());
    };
    let s = db.store.as_ref();
    setup(s).await;
    let keeper = user(s, "asset.keeper").await;
    let approver = user(s, "asset.approver").await;
    let projects = [
        project(s, V, "光伏", 3).await,
        project(s, V3, "大棚", 4).await,
    ];
    let mut hh = households(s, V, 2, 300).await;
    hh.extend(households(s, V2, 1, 400).await);
    let villages = [V, V2, V3];
    // id → (class, value, in service)
    let mut model: BTreeMap<i64, (AssetClass, i64, bool)> = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        let t = NOW + step as i64;
        match *op {
            Op::Register {
                class,
                owner: o,
                value,
            } => {
                let class = AssetClass::ALL[class];
                let who = match class {
                    AssetClass::Household => {
                        owner(OwnerLevel::Household, "", Some(hh[o % hh.len()]))
                    }
                    AssetClass::Productive => owner(OwnerLevel::Village, villages[o % 3], None),
                    AssetClass::PublicWelfare => match o % 3 {
                        0 => owner(OwnerLevel::County, K, None),
                        1 => owner(OwnerLevel::Township, T, None),
                        _ => owner(OwnerLevel::Village, V2, None),
                    },
                };
                let a = s
                    .register_asset(
                        &new_asset(projects[o % 2], class, who, split(value, 0)),
                        Some(keeper),
                        t,
                    )
                    .await
                    .map_err(fail)?;
                model.insert(a.id, (class, value, true));
            }
            Op::Transfer { asset, to } => {
                let Some((&id, &(class, _, live))) = model.iter().nth(asset % model.len().max(1))
                else {
                    continue;
                };
                let who = if class == AssetClass::Household {
                    owner(OwnerLevel::Household, "", Some(hh[to % hh.len()]))
                } else {
                    owner(OwnerLevel::Village, villages[to % 3], None)
                };
                let who = AssetOwner {
                    custodian: format!("管护组{step}"),
                    ..who
                };
                let r = s.asset_step(id, &transfer(who), Some(keeper), t).await;
                prop_assert_eq!(
                    r.is_ok(),
                    live,
                    "transfer of {} at step {}: {:?}",
                    id,
                    step,
                    r
                );
            }
            Op::Dispose { asset } => {
                let Some((&id, &(_, _, live))) = model.iter().nth(asset % model.len().max(1))
                else {
                    continue;
                };
                let r = s
                    .asset_step(id, &dispose(DisposalKind::Scrap), Some(approver), t)
                    .await;
                prop_assert_eq!(
                    r.is_ok(),
                    live,
                    "disposal of {} at step {}: {:?}",
                    id,
                    step,
                    r
                );
                if let Some(m) = model.get_mut(&id) {
                    m.2 = false;
                }
            }
        }
        let want = model
            .values()
            .filter(|m| m.2)
            .fold((0, 0), |(c, v), m| (c + 1, v + m.1));
        let county = s.asset_county_total(&rc(K)).await.map_err(fail)?;
        prop_assert_eq!(county, want, "county total at step {}", step);
        let mut villages_sum = (0, 0);
        for v in villages {
            let f = AssetFilter {
                scopes: vec![rc(K)],
                region: Some(rc(v)),
                ..Default::default()
            };
            let (c, x) = sum_totals(&s.asset_totals(&f).await.map_err(fail)?);
            villages_sum = (villages_sum.0 + c, villages_sum.1 + x);
            // Each register's list agrees with its totals.
            let listed = s
                .assets(
                    &AssetFilter {
                        in_service: true,
                        ..f
                    },
                    1000,
                    0,
                )
                .await
                .map_err(fail)?
                .0;
            prop_assert_eq!(
                (
                    listed.len() as i64,
                    listed.iter().map(|a| a.value_total_fen).sum::<i64>()
                ),
                (c, x),
                "village {} at step {}",
                v,
                step
            );
        }
        prop_assert_eq!(
            villages_sum,
            county,
            "sum of the village registers at step {}",
            step
        );
        let mut by_township = (0, 0);
        for t in ["529121100", "529121101"] {
            let f = AssetFilter {
                scopes: vec![rc(K)],
                region: Some(rc(t)),
                ..Default::default()
            };
            let (c, x) = sum_totals(&s.asset_totals(&f).await.map_err(fail)?);
            by_township = (by_township.0 + c, by_township.1 + x);
        }
        prop_assert_eq!(
            by_township,
            county,
            "sum of the township totals at step {}",
            step
        );
    }
    Ok(())
}

fn run(kind: Kind, ops: Vec<Op>) -> Result<(), TestCaseError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(fail)?
        .block_on(check(kind, ops))
}

proptest! {
    // Few cases (each one is a fresh database), and no regression files in the source tree.
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn county_total_is_the_sum_of_the_registers_sqlite(ops in ops()) {
        run(Kind::Sqlite, ops)?;
    }

    #[test]
    fn county_total_is_the_sum_of_the_registers_postgres(ops in ops()) {
        if pg_admin_url().is_some() {
            run(Kind::Postgres, ops)?;
        }
    }
}
