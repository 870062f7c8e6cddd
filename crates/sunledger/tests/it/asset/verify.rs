//! `verify` over the asset tables: every write books its facts; an edit behind the
//! application's back is named with its table, row and column.
use super::*;
use crate::both;
use sunledger::verify::{Finding, verify};

async fn findings(db: &TestDb) -> Vec<(String, Option<String>)> {
    let f: Vec<Finding> = verify(db.store.as_ref(), &[test_signer().verifier()])
        .await
        .expect("verify runs")
        .findings;
    f.iter()
        .map(|f| (f.subject.clone(), f.column.clone()))
        .collect()
}

async fn verify_names_an_edited_asset(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let keeper = user(s, "asset.keeper").await;
    let approver = user(s, "asset.approver").await;
    let pid = project(s, V, "村级光伏电站", 3).await;
    let hh = households(s, V, 1, 500).await;
    let pv = s
        .register_asset(
            &new_asset(
                pid,
                AssetClass::Productive,
                owner(OwnerLevel::Village, V, None),
                split(30_000_000, 0),
            ),
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    let cow = s
        .register_asset(
            &new_asset(
                pid,
                AssetClass::Household,
                owner(OwnerLevel::Household, "", Some(hh[0])),
                split(500_000, 0),
            ),
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    s.asset_step(
        pv.id,
        &transfer(AssetOwner {
            custodian: "光伏合作社".into(),
            ..owner(OwnerLevel::Village, V, None)
        }),
        Some(keeper),
        NOW + DAY,
    )
    .await
    .unwrap();
    s.asset_step(
        cow.id,
        &dispose(DisposalKind::Loss),
        Some(approver),
        NOW + DAY,
    )
    .await
    .unwrap();
    sunledger_store::log::sign_checkpoint(s, &test_signer(), NOW + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(findings(&db).await, vec![], "a clean database verifies");

    // A booked column: the asset's value raised.
    raw_sql(
        &db,
        &format!(
            "UPDATE assets SET value_total = 99000000 WHERE id = {}",
            pv.id
        ),
    )
    .await;
    let subject = format!("assets/{}", pv.id);
    assert_eq!(
        findings(&db).await,
        vec![(subject.clone(), Some("value_total".into()))],
        "the booked value of that asset only"
    );
    raw_sql(
        &db,
        &format!(
            "UPDATE assets SET value_total = 30000000 WHERE id = {}",
            pv.id
        ),
    )
    .await;
    assert_eq!(findings(&db).await, vec![], "restored");

    // A derived column: the current custodian changed without an event.
    raw_sql(
        &db,
        &format!(
            "UPDATE assets SET cur_custodian = '某公司' WHERE id = {}",
            pv.id
        ),
    )
    .await;
    assert_eq!(
        findings(&db).await,
        vec![(subject.clone(), Some("cur_custodian".into()))]
    );
    raw_sql(
        &db,
        &format!(
            "UPDATE assets SET cur_custodian = '光伏合作社' WHERE id = {}",
            pv.id
        ),
    )
    .await;

    // A disposed asset put back on the register, and a disposal's decision rewritten.
    raw_sql(
        &db,
        &format!(
            "UPDATE assets SET state = 'registered' WHERE id = {}",
            cow.id
        ),
    )
    .await;
    raw_sql(
        &db,
        &format!(
            "UPDATE asset_events SET decision_ref = '无' WHERE asset_id = {}",
            cow.id
        ),
    )
    .await;
    let f = findings(&db).await;
    assert!(
        f.contains(&(format!("assets/{}", cow.id), Some("state".into()))),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|(s, c)| s.starts_with("asset_events/") && c.as_deref() == Some("decision_ref")),
        "{f:?}"
    );
    assert_eq!(f.len(), 2, "{f:?}");
}
both!(verify_names_an_edited_asset, verify_names_an_edited_asset);
