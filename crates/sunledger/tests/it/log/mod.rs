//! The tamper-evident log: proofs served by the API check out, and `sunledger verify` names every
//! row edited, deleted or inserted behind the application's back, on both backends.
mod coverage;

use crate::support::{TestApp, TestDb, raw_sql, run_verify, test_signer};
use serde_json::{Value, json};
use sunledger_core::log::merkle::{self, Hash};

fn unhex(s: &str) -> Hash {
    let v = sunledger_store::unhex(s).expect("hex");
    Hash::try_from(v.as_slice()).expect("32 bytes")
}

async fn proofs_from_the_api_verify(app: TestApp) {
    let c = app.client();
    // The demo's facts are in the log; sign a first checkpoint.
    let admin = app.signed_in("admin").await;
    let cp1: Value = admin
        .post(app.url("/api/v1/log/checkpoints"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let size1 = cp1["size"].as_u64().unwrap();
    assert!(size1 > 5000, "demo facts are booked: {size1}");
    let verifier = test_signer().verifier();
    let signed = verifier
        .open(cp1["note"].as_str().unwrap())
        .expect("signature");
    assert_eq!(signed.size, size1);
    assert_eq!(
        sunledger_store::hex(&signed.root),
        cp1["root"].as_str().unwrap()
    );

    // Inclusion proofs for leaves spread over the log.
    for index in [0, 1, size1 / 3, size1 / 2, size1 - 1] {
        let p: Value = c
            .get(app.url(&format!("/api/v1/log/inclusion?index={index}&size={size1}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let proof: Vec<Hash> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| unhex(h.as_str().unwrap()))
            .collect();
        let leaf = unhex(p["leaf_hash"].as_str().unwrap());
        assert!(
            merkle::verify_inclusion(&leaf, index, size1, &proof, &signed.root),
            "leaf {index}"
        );
        let mut bent = proof.clone();
        bent[0][0] ^= 1;
        assert!(
            !merkle::verify_inclusion(&leaf, index, size1, &bent, &signed.root),
            "a bent proof must fail"
        );
    }
    let r = c
        .get(app.url(&format!("/api/v1/log/inclusion?index={size1}&size={size1}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // More facts, a second checkpoint, and a consistency proof between the two.
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"username": "log.test", "display_name": "日志 测试", "password": "a-long-password", "region": "529121"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let cp2: Value = admin
        .post(app.url("/api/v1/log/checkpoints"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let size2 = cp2["size"].as_u64().unwrap();
    assert_eq!(
        size2,
        size1 + 3,
        "an account is three facts: the account, its password's digest, the record of its creation"
    );
    assert_eq!(cp2["prev_size"].as_u64(), Some(size1));
    let root2 = verifier.open(cp2["note"].as_str().unwrap()).unwrap().root;
    let p: Value = c
        .get(app.url(&format!("/api/v1/log/consistency?from={size1}&to={size2}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let proof: Vec<Hash> = p["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect();
    assert!(merkle::verify_consistency(
        size1,
        size2,
        &signed.root,
        &root2,
        &proof
    ));
    let stored: Vec<Hash> = cp2["consistency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect();
    assert_eq!(stored, proof, "the checkpoint carries the same proof");
    // Signing again without new facts returns the same checkpoint.
    let cp3: Value = admin
        .post(app.url("/api/v1/log/checkpoints"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cp3["size"], cp2["size"]);
    let all: Value = c
        .get(app.url("/api/v1/log/checkpoints"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
}
crate::both_app!(proofs_from_the_api_verify_on, proofs_from_the_api_verify);

async fn a_downloaded_proof_verifies_offline(app: TestApp) {
    let c = app.client();
    let depts: Value = app
        .signed_in("admin")
        .await
        .get(app.url("/api/v1/regions/529121/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = depts[0]["id"].as_i64().unwrap();
    // Departments are public: the page and the file need no sign-in.
    let page = c
        .get(app.url(&format!("/proofs/departments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("防篡改证明") && html.contains("中共云岭县委员会"),
        "{html}"
    );
    let r = c
        .get(app.url(&format!("/api/v1/proofs/departments/{id}?download=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = r.text().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proof.json");
    std::fs::write(&file, &text).unwrap();
    let vkey = test_signer().verifier_key();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "verify-proof",
            file.to_str().unwrap(),
            "--key",
            &vkey,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("OK: departments/"), "{stdout}");
    // A bundle whose data was changed, or checked with another key, fails.
    let tampered = text.replace("中共云岭县委员会", "中共石门县委员会");
    assert_ne!(tampered, text);
    std::fs::write(&file, &tampered).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "verify-proof",
            file.to_str().unwrap(),
            "--key",
            &vkey,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAILED"));
    std::fs::write(&file, &text).unwrap();
    let other =
        sunledger_core::log::checkpoint::NoteSigner::from_seed("sunledger.test/log", &[8u8; 32])
            .unwrap()
            .verifier_key();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "verify-proof",
            file.to_str().unwrap(),
            "--key",
            &other,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "another key must not verify");
    // Non-public records need access to their region.
    let grants: Value = app
        .signed_in("admin")
        .await
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shimen = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "shimen.finance")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        c.get(app.url(&format!("/api/v1/proofs/users/{shimen}")))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let yunling = app.signed_in("yunling.finance").await;
    assert_eq!(
        yunling
            .get(app.url(&format!("/api/v1/proofs/users/{shimen}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let shimen_client = app.signed_in("shimen.finance").await;
    assert_eq!(
        shimen_client
            .get(app.url(&format!("/api/v1/proofs/users/{shimen}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
crate::both_app!(
    a_downloaded_proof_verifies_offline_on,
    a_downloaded_proof_verifies_offline
);

async fn verify_names_rows_changed_outside_the_application(db: TestDb) {
    let db = crate::support::with_demo(db).await;
    sunledger_store::log::sign_checkpoint(db.store.as_ref(), &test_signer(), 1)
        .await
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(
        keys.path().join("log-verifier.keys"),
        format!("{}\n", test_signer().verifier_key()),
    )
    .unwrap();
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 0, "a clean database verifies: {out}");
    assert!(out.contains("findings=0"));

    // One byte of a booked department name.
    raw_sql(
        &db,
        "UPDATE departments SET name = '中共云岭县委员仝' WHERE name = '中共云岭县委员会'",
    )
    .await;
    let id: i64 = db
        .store
        .departments_in(&sunledger_core::RegionCode::parse("529121").unwrap())
        .await
        .unwrap()[0]
        .id;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("edited: departments/{id}.name:")),
        "{out}"
    );
    raw_sql(
        &db,
        "UPDATE departments SET name = '中共云岭县委员会' WHERE name = '中共云岭县委员仝'",
    )
    .await;
    assert_eq!(
        run_verify(&db, keys.path()).0,
        0,
        "putting it back makes it clean"
    );

    // A deleted person, an inserted grant, a revocation undone, a user's region moved.
    let people = db.store.people_in_department(id).await.unwrap();
    let pid = people[0].id;
    raw_sql(&db, &format!("DELETE FROM people WHERE id = {pid}")).await;
    let uid = db
        .store
        .user_by_username("yunling.finance")
        .await
        .unwrap()
        .unwrap()
        .id;
    raw_sql(
        &db,
        &format!("INSERT INTO grants (county_code, user_id, role, region_code, granted_at) VALUES ('529122', {uid}, 'admin', '529122000000', 5)"),
    )
    .await;
    raw_sql(
        &db,
        &format!("UPDATE users SET region_code = '529122000000' WHERE id = {uid}"),
    )
    .await;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1);
    assert!(out.contains(&format!("deleted: people/{pid}:")), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("inserted: grants/")),
        "{out}"
    );
    assert!(
        out.contains(&format!("edited: users/{uid}.region_code:")),
        "{out}"
    );
    // The county code no longer follows from the moved region.
    assert!(
        out.contains(&format!("edited: users/{uid}.county_code:")),
        "{out}"
    );
    assert!(out.contains("findings=4"), "{out}");
}
crate::both!(
    verify_names_rows_changed_outside_the_application_on,
    verify_names_rows_changed_outside_the_application
);

async fn verify_catches_a_rewritten_log(db: TestDb) {
    let db = crate::support::with_demo(db).await;
    sunledger_store::log::sign_checkpoint(db.store.as_ref(), &test_signer(), 1)
        .await
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(
        keys.path().join("log-verifier.keys"),
        format!("{}\n", test_signer().verifier_key()),
    )
    .unwrap();
    // Someone edits a row AND its leaf consistently: the leaf no longer hashes to its node.
    let d = db
        .store
        .departments_in(&sunledger_core::RegionCode::parse("529122").unwrap())
        .await
        .unwrap()[0]
        .clone();
    let leaf = db.store.log_leaves_of("departments", d.id).await.unwrap()[0].clone();
    let forged = String::from_utf8(leaf.data.clone())
        .unwrap()
        .replace(&d.name, "伪造部门");
    raw_sql(
        &db,
        &format!(
            "UPDATE departments SET name = '伪造部门' WHERE id = {}",
            d.id
        ),
    )
    .await;
    let hexdata = sunledger_store::hex(forged.as_bytes());
    let set = if db.url.starts_with("postgres") {
        format!("decode('{hexdata}', 'hex')")
    } else {
        format!("X'{hexdata}'")
    };
    raw_sql(
        &db,
        &format!(
            "UPDATE log_leaves SET data = {set} WHERE idx = {}",
            leaf.index
        ),
    )
    .await;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("leaf: log_leaves/{}.data:", leaf.index))
            && out.contains(&format!("(departments/{})", d.id)),
        "{out}"
    );
    // ... and also rewrites the leaf node: the level above no longer matches, and the signed root
    // is no longer reached.
    let node = merkle::leaf_hash(forged.as_bytes());
    let set = if db.url.starts_with("postgres") {
        format!("decode('{}', 'hex')", sunledger_store::hex(&node))
    } else {
        format!("X'{}'", sunledger_store::hex(&node))
    };
    raw_sql(
        &db,
        &format!(
            "UPDATE log_nodes SET hash = {set} WHERE level = 0 AND idx = {}",
            leaf.index
        ),
    )
    .await;
    let (code, out) = run_verify(&db, keys.path());
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|l| l.starts_with("node: log_nodes/1/")),
        "{out}"
    );
    assert!(
        out.contains("checkpoint at size")
            && out.contains("the leaves no longer give the signed root"),
        "{out}"
    );
    // A forged checkpoint signature is caught too.
    raw_sql(&db, "UPDATE log_checkpoints SET note = replace(note, 'sunledger.test/log\n', 'sunledger.test/log\n')").await;
    let other =
        sunledger_core::log::checkpoint::NoteSigner::from_seed("sunledger.test/log", &[9u8; 32])
            .unwrap();
    std::fs::write(
        keys.path().join("log-verifier.keys"),
        format!("{}\n", other.verifier_key()),
    )
    .unwrap();
    let (_, out) = run_verify(&db, keys.path());
    assert!(out.contains("signature:"), "{out}");
}
crate::both!(
    verify_catches_a_rewritten_log_on,
    verify_catches_a_rewritten_log
);
