//! Client ids and fund pages per county.
use super::*;
/// Client ids are scoped per county: another county's key is neither seen nor told, retries stay
/// idempotent, and a county's own key with other content is still a conflict.
async fn client_ids_are_per_county(app: crate::support::TestApp) {
    use serde_json::json;
    let shimen = app.signed_in("shimen.finance").await;
    let yunling = app.signed_in("yunling.finance").await;
    let fund = |region: &str, amount: &str| {
        json!({"client_id": "shared-key-1", "region": region, "source": "county_budget", "fiscal_year": 2026,
            "document_no": format!("{region}财〔2026〕7号"), "name": "本级资金", "amount": amount, "booked_on": "2026-06-01"})
    };
    let (st, a) = post_json(&yunling, &app, "/api/v1/funds", fund("529121", "100.00")).await;
    assert_eq!(st, 201, "{a}");
    // The same key in 石门县 books 石门县's own fund (no 409 telling that 云岭县 used it).
    let (st, b) = post_json(&shimen, &app, "/api/v1/funds", fund("529122", "200.00")).await;
    assert_eq!(st, 201, "{b}");
    assert_ne!(a["fund"]["id"], b["fund"]["id"]);
    assert_eq!(b["receipt"]["amount"], 20_000);
    // Retries answer the booked row in each county.
    let (st, again) = post_json(&shimen, &app, "/api/v1/funds", fund("529122", "200.00")).await;
    assert_eq!(st, 201);
    assert_eq!(again["fund"]["id"], b["fund"]["id"]);
    let (st, again) = post_json(&yunling, &app, "/api/v1/funds", fund("529121", "100.00")).await;
    assert_eq!(st, 201);
    assert_eq!(again["fund"]["id"], a["fund"]["id"]);
    // Inside one county a key with other content is still a conflict.
    let (st, e) = post_json(&yunling, &app, "/api/v1/funds", fund("529121", "101.00")).await;
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["error"]["field"], "client_id");
    // A transfer under a key 云岭县 used for its fund, booked by 石门县.
    let (st, t) = post_json(&shimen, &app, "/api/v1/transfers", json!({"client_id": "demo-approp-529121100000",
        "fund_id": b["fund"]["id"], "kind": "appropriate", "from": {"region": "529122"}, "to": {"region": "529122100"},
        "amount": "50.00", "booked_on": "2026-06-02", "document_no": "石财〔2026〕8号", "purpose": "下达"})).await;
    assert_eq!(st, 201, "{t}");
    // The log still verifies.
    let (code, out, err) = crate::support::sunledger(&app.db, &["verify"], None);
    assert_eq!(code, 0, "{out}{err}");
}
crate::both_app!(client_ids_per_county, client_ids_are_per_county);

/// The fund page shows the caller's part of a fund's flow and nothing of the rest, not even how
/// many rows were left out.
async fn fund_page_counts_only_what_the_viewer_sees(app: crate::support::TestApp) {
    let central = crate::cross_county::scalar(
        &app.db,
        "SELECT MIN(id) FROM funds WHERE region_code = '529100000000'",
    )
    .await
    .expect("the central fund");
    let yunling = app.signed_in("yunling.finance").await;
    let r = yunling
        .get(app.url(&format!("/funds/{central}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("云岭县"), "the caller's own rows are shown");
    for other in ["石门县", "未显示", "not shown"] {
        assert!(!html.contains(other), "the page tells about {other}");
    }
}
crate::both_app!(fund_page_counts, fund_page_counts_only_what_the_viewer_sees);

/// A batch (an import) names its own rows by client id even when another county booked the same
/// client id; a client id booked in two counties and not in the batch is ambiguous and refused.
async fn batch_client_ids_across_counties(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let (shimen, _) = s
        .create_fund(&new_fund("dup-key", K2, 1_000), now())
        .await
        .unwrap();
    let ops = vec![
        sunledger_store::LedgerOp::Fund(new_fund("dup-key", K, 5_000)),
        sunledger_store::LedgerOp::Transfer {
            fund: sunledger_store::Ref::ClientId("dup-key".into()),
            reverses: None,
            transfer: nt("dup-t", 0, TransferKind::Appropriate, reg(K), reg(T), 100),
        },
        sunledger_store::LedgerOp::Confirm {
            transfer: sunledger_store::Ref::ClientId("dup-t".into()),
            on: DAY.into(),
            actor: None,
        },
    ];
    s.apply_ledger_ops(&ops, now()).await.unwrap();
    let yunling = s
        .funds_within(&rc(K))
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.region == rc(K))
        .unwrap();
    assert_ne!(yunling.id, shimen.id);
    assert_eq!(bal(s, yunling.id, reg(T)).await, [100, 0, 0, 0]);
    assert_eq!(bal(s, shimen.id, reg(T)).await, [0; 4]);
    // Replaying the batch books nothing new.
    let size = s.log_size().await.unwrap();
    s.apply_ledger_ops(&ops, now()).await.unwrap();
    assert_eq!(s.log_size().await.unwrap(), size);
    // Outside a batch that books it, "dup-key" could be either county's.
    let e = s
        .apply_ledger_ops(
            &[sunledger_store::LedgerOp::Transfer {
                fund: sunledger_store::Ref::ClientId("dup-key".into()),
                reverses: None,
                transfer: nt("dup-t2", 0, TransferKind::Appropriate, reg(K), reg(T), 1),
            }],
            now(),
        )
        .await
        .unwrap_err();
    match e {
        StoreError::Batch { index: 0, error } => {
            assert_eq!(kind_of(&error), "conflict:client_id")
        }
        other => panic!("{other:?}"),
    }
}
crate::both!(batch_client_ids, batch_client_ids_across_counties);
