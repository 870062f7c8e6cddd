//! `sunledger verify` over ledger rows.
use super::*;
async fn verify_covers_the_ledger(db: TestDb) {
    let s = db.store.as_ref();
    // Only the regions: the whole demo city (with its own demo ledger) takes PostgreSQL ~15 s to
    // load, and `log.rs` already verifies it.
    setup(s).await;
    let booked = realistic(s).await;
    sunledger_store::log::sign_checkpoint(s, &test_signer(), now())
        .await
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(
        keys.path().join("log-verifier.keys"),
        format!("{}\n", test_signer().verifier_key()),
    )
    .unwrap();
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 0, "the ledger verifies clean: {out}");
    assert!(out.contains("findings=0"), "{out}");

    // One fen more on a booked transfer.
    let id = booked[4].id;
    raw_sql(
        &db,
        &format!("UPDATE transfers SET amount = amount + 1 WHERE id = {id}"),
    )
    .await;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("edited: transfers/{id}.amount:")),
        "{out}"
    );
    // The accounts it moved money between no longer add up to what they say, nor the credits
    // counted for detention in the account it credited.
    let findings: Vec<&str> = out.lines().filter(|l| l.starts_with("edited: ")).collect();
    assert!(findings.len() > 1, "{out}");
    assert!(
        findings
            .iter()
            .all(|l| l.starts_with(&format!("edited: transfers/{id}."))
                || l.starts_with("edited: ledger_accounts/")
                || l.starts_with("edited: level_credits/")),
        "{out}"
    );
    raw_sql(
        &db,
        &format!("UPDATE transfers SET amount = amount - 1 WHERE id = {id}"),
    )
    .await;
    assert_eq!(
        run_verify(&db, keys.path()).0,
        0,
        "putting it back makes it clean"
    );

    // A payee renamed, a payment event redated, a suspension's reason softened, a fund renamed.
    let d = booked.iter().find(|t| t.kind == "disburse").unwrap().id;
    raw_sql(
        &db,
        &format!("UPDATE transfers SET payee = '某某公司' WHERE id = {d}"),
    )
    .await;
    let mut raw = Raw::connect(&db).await;
    let event = raw.scalar("SELECT MAX(id) FROM transfer_events").await;
    raw_sql(
        &db,
        &format!("UPDATE transfer_events SET on_date = '2025-12-31' WHERE id = {event}"),
    )
    .await;
    let sus = raw.scalar("SELECT MAX(id) FROM suspensions").await;
    raw_sql(
        &db,
        &format!("UPDATE suspensions SET reason = '无' WHERE id = {sus}"),
    )
    .await;
    let fund = booked[0].fund_id;
    raw_sql(
        &db,
        &format!("UPDATE funds SET name = '其他资金' WHERE id = {fund}"),
    )
    .await;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1, "{out}");
    for subject in [
        format!("edited: transfers/{d}.payee:"),
        format!("edited: transfer_events/{event}.on_date:"),
        format!("edited: suspensions/{sus}.reason:"),
        format!("edited: funds/{fund}.name:"),
    ] {
        assert!(out.contains(&subject), "{subject} in {out}");
    }
    assert!(out.contains("findings=4"), "{out}");
}
crate::both!(verify_covers_the_ledger_on, verify_covers_the_ledger);
