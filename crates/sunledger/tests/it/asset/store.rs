//! Registration, transfers and disposals through the store, with every refusal.
use super::*;
use crate::both;

async fn register_transfer_dispose(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let keeper = user(s, "asset.keeper").await;
    let approver = user(s, "asset.approver").await;
    let accepted = project(s, V, "村级光伏电站", 3).await;
    let evaluated = project(s, V2, "村组道路硬化", 4).await;
    let completed = project(s, V, "产业路", 2).await;
    let foreign = project(s, OTHER_V, "石门县项目", 3).await;
    let hh = households(s, V, 2, 100).await;
    let far_hh = households(s, OTHER_V, 1, 200).await;

    // A productive asset, owned by the village, with its distribution plan; numbered.
    let pv = s
        .register_asset(
            &new_asset(
                accepted,
                AssetClass::Productive,
                owner(OwnerLevel::Village, V, None),
                split(30_000_000, 500_000),
            ),
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(pv.number, "529121-2026-0001");
    assert_eq!(pv.state, "registered");
    assert_eq!(pv.village, rc(V));
    assert_eq!(pv.value_total_fen, 30_500_000);
    assert_eq!(pv.distribution.len(), 3);
    assert_eq!(pv.registered_by, Some(keeper));
    // An evaluated project's public asset, owned by the township: on its village's register.
    let road = s
        .register_asset(
            &new_asset(
                evaluated,
                AssetClass::PublicWelfare,
                owner(OwnerLevel::Township, T, None),
                split(20_000_000, 0),
            ),
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(road.number, "529121-2026-0002");
    assert_eq!(road.village, rc(V2));
    // A household asset: in the household's village, its head named.
    let cow = s
        .register_asset(
            &new_asset(
                accepted,
                AssetClass::Household,
                owner(OwnerLevel::Household, "", Some(hh[0])),
                split(1_000_000, 0),
            ),
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(cow.owner_region, rc(V));
    assert_eq!(cow.household_head.as_deref(), Some("户主100"));

    // Refusals, each naming its field; nothing is booked by any of them.
    let ok = |pid| {
        new_asset(
            pid,
            AssetClass::PublicWelfare,
            owner(OwnerLevel::Village, V, None),
            split(100, 0),
        )
    };
    let size = s.log_size().await.unwrap();
    assert_eq!(
        refusal(s.register_asset(&ok(completed), Some(keeper), NOW).await),
        ("project_id", "project_not_accepted"),
        "a project not yet accepted"
    );
    // Over the budget: 500 000.00 central special less the 310 000.00 already registered.
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    value: split(19_000_001, 0),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("value", "over_budget")
    );
    // A source the budget does not have.
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    value: ValueSplit::new(vec![(FundSource::SocialDonation, fen(1))]).unwrap(),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("value", "over_budget")
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    distribution: None,
                    ..new_asset(
                        accepted,
                        AssetClass::Productive,
                        owner(OwnerLevel::Village, V, None),
                        split(100, 0)
                    )
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("distribution", "required")
    );
    assert_eq!(
        Distribution::new(vec![
            (ShareHolder::VillageCollective, 60),
            (ShareHolder::PoorHouseholds, 30)
        ])
        .map(|_| ()),
        Err(DomainError::invalid("distribution", "shares_not_100", "90")),
        "shares not summing to 100 never reach the store"
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    owner: owner(OwnerLevel::Village, OTHER_V, None),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("owner", "outside_county"),
        "an owner of another county"
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    owner: owner(OwnerLevel::Village, T, None),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("owner", "wrong_level")
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &new_asset(
                    accepted,
                    AssetClass::Household,
                    owner(OwnerLevel::Household, "", Some(far_hh[0])),
                    split(100, 0)
                ),
                Some(keeper),
                NOW
            )
            .await
        ),
        ("household_id", "outside_county"),
        "a household of another county"
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    owner: owner(OwnerLevel::Household, "", Some(hh[1])),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("owner_level", "class_mismatch")
    );
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    quantity: "0".into(),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("quantity", "not_positive")
    );
    assert_eq!(s.log_size().await.unwrap(), size, "nothing booked");
    // The other county's project registers in its own county, with its own sequence.
    let theirs = s
        .register_asset(
            &NewAsset {
                owner: owner(OwnerLevel::Village, OTHER_V, None),
                ..ok(foreign)
            },
            Some(keeper),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(theirs.number, "529122-2026-0001");

    // A transfer: the productive asset to a new custodian, on the meeting's record.
    let pv2 = s
        .asset_step(
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
    assert_eq!(pv2.state, "transferred");
    assert_eq!(pv2.custodian, "光伏合作社");
    assert_eq!(pv2.first_owner_level, "village");
    // The same owner and custodian again is not a transfer.
    assert_eq!(
        refusal(
            s.asset_step(
                pv.id,
                &transfer(AssetOwner {
                    custodian: "光伏合作社".into(),
                    ..owner(OwnerLevel::Village, V, None)
                }),
                Some(keeper),
                NOW + DAY
            )
            .await
        ),
        ("owner", "unchanged")
    );
    // The road moves from the township to the village of the other township: its register follows.
    let road2 = s
        .asset_step(
            road.id,
            &transfer(owner(OwnerLevel::Village, V3, None)),
            Some(approver),
            NOW + DAY,
        )
        .await
        .unwrap();
    assert_eq!(road2.village, rc(V3));
    assert_eq!(
        refusal(
            s.asset_step(
                road.id,
                &transfer(owner(OwnerLevel::Village, OTHER_V, None)),
                Some(approver),
                NOW + DAY
            )
            .await
        ),
        ("owner", "outside_county")
    );
    assert_eq!(
        refusal(
            s.asset_step(
                road.id,
                &AssetStep {
                    owner: None,
                    ..transfer(owner(OwnerLevel::Village, V, None))
                },
                Some(approver),
                NOW + DAY
            )
            .await
        ),
        ("owner_level", "required")
    );

    // A disposal: refused to the one who registered the asset (four eyes); taken by another.
    assert_eq!(
        refusal(
            s.asset_step(
                cow.id,
                &dispose(DisposalKind::Loss),
                Some(keeper),
                NOW + DAY
            )
            .await
        ),
        ("actor", "registrar_may_not_dispose")
    );
    assert_eq!(
        refusal(
            s.asset_step(
                cow.id,
                &AssetStep {
                    disposal_kind: None,
                    ..dispose(DisposalKind::Loss)
                },
                Some(approver),
                NOW + DAY
            )
            .await
        ),
        ("disposal_kind", "required")
    );
    let gone = s
        .asset_step(
            cow.id,
            &dispose(DisposalKind::Auction),
            Some(approver),
            NOW + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(gone.state, "disposed");
    // Disposed: no transfer and no second disposal.
    assert_eq!(
        refusal(
            s.asset_step(
                cow.id,
                &transfer(owner(OwnerLevel::Household, "", Some(hh[1]))),
                Some(approver),
                NOW + 2 * DAY
            )
            .await
        ),
        ("action", "not_allowed_in_state")
    );
    // Its money stays spent: the split limit still counts it.
    assert_eq!(
        refusal(
            s.register_asset(
                &NewAsset {
                    value: split(19_000_001, 0),
                    ..ok(accepted)
                },
                Some(keeper),
                NOW
            )
            .await
        ),
        ("value", "over_budget")
    );

    // The record: every event, oldest first, with its decision.
    let rec = s.asset_record(pv.id).await.unwrap().unwrap();
    assert_eq!(rec.events.len(), 1);
    assert_eq!(rec.events[0].decision_kind, "meeting");
    assert_eq!(rec.events[0].decision_on.as_deref(), Some("2026-05-20"));
    let rec = s.asset_record(cow.id).await.unwrap().unwrap();
    assert_eq!(rec.events[0].disposal_kind.as_deref(), Some("auction"));
    assert_eq!(rec.events[0].proceeds_fen, Some(120_000));

    // Totals: disposed assets are off the registers; the county total is their sum.
    let county = sunledger_store::AssetFilter {
        scopes: vec![rc(K)],
        ..Default::default()
    };
    let totals = s.asset_totals(&county).await.unwrap();
    assert_eq!(sum_totals(&totals), (2, 30_500_000 + 20_000_000));
    assert_eq!(
        s.asset_county_total(&rc(K)).await.unwrap(),
        sum_totals(&totals)
    );
    let (list, n) = s.assets(&county, 50, 0).await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(list.len(), 3);
    let village = sunledger_store::AssetFilter {
        region: Some(rc(V3)),
        ..county.clone()
    };
    assert_eq!(
        s.assets(&village, 50, 0).await.unwrap().0[0].id,
        road.id,
        "the road is on its new village's register"
    );
}
both!(register_transfer_dispose, register_transfer_dispose);
