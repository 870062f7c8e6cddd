//! Snapshot tests that pin what a restructure must not change (issue 13): the OpenAPI document
//! the server serves, compared with the committed `docs/openapi.json`.

use crate::support::{Kind, TestApp, fresh_db};

/// Re-serialises `v` pretty-printed with object keys sorted (serde_json's map is a BTreeMap here
/// unless `preserve_order` is on, so the keys are sorted explicitly).
fn sorted(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_committed_copy() {
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, false).await;
    let r = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("get openapi.json");
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.expect("openapi.json is JSON");
    let mut text = serde_json::to_string_pretty(&sorted(&doc)).expect("serialise");
    text.push('\n');
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("SUNLEDGER_BLESS")
        .map(|v| v == "1")
        .unwrap_or(false)
    {
        std::fs::write(&path, &text).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "the API changed: run with SUNLEDGER_BLESS=1 to update docs/openapi.json and commit it"
    );
}

/// The fixed clock of the log-root snapshot: 2026-06-01 09:00 Beijing time.
const FIXED_NOW: i64 = 1_780_275_600;

/// Where the committed log root lives (hex of the Merkle root and the log size).
fn log_root_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/log_root.txt")
}

/// Books the demo city on a fixed clock, plus the kinds of fact the demo does not book, and
/// returns `"<size> <root hex>"` of the log (with the salted password digests masked).
pub(crate) async fn book_every_kind(db: &crate::support::TestDb) -> String {
    let store = db.store.as_ref();
    assert!(
        sunledger::demo::load(store, FIXED_NOW)
            .await
            .expect("demo loads")
    );
    // An account disabled and enabled again: the demo books no account_status row.
    let admin = store
        .user_by_username("admin")
        .await
        .expect("admin")
        .expect("admin exists");
    let target = store
        .user_by_username("shimen.finance")
        .await
        .expect("user")
        .expect("shimen.finance exists");
    for (disabled, reason) in [(true, "调岗"), (false, "复岗")] {
        store
            .set_disabled(
                target.id,
                disabled,
                Some(admin.id),
                reason,
                &sunledger_store::NewAuthEvent {
                    at: FIXED_NOW + 60,
                    kind: if disabled {
                        sunledger_store::AuthEventKind::Disable
                    } else {
                        sunledger_store::AuthEventKind::Enable
                    },
                    region: Some(target.region),
                    username: Some(target.username.clone()),
                    user_id: Some(target.id),
                    actor_id: Some(admin.id),
                    ip: None,
                    detail: reason.into(),
                },
            )
            .await
            .expect("disable / enable");
    }
    // A new password (a second `account.password` leaf of a versioned row), and a sign-in that
    // opens a session.
    store
        .set_password(
            target.id,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$bmV3LWhhc2g",
            &sunledger_store::NewAuthEvent {
                at: FIXED_NOW + 120,
                kind: sunledger_store::AuthEventKind::PasswordSet,
                region: Some(target.region),
                username: Some(target.username.clone()),
                user_id: Some(target.id),
                actor_id: Some(admin.id),
                ip: None,
                detail: String::new(),
            },
        )
        .await
        .expect("set password");
    store
        .create_session(
            &sunledger_store::NewSession {
                token_hash: "5e55104".repeat(9),
                user_id: target.id,
                created_at: FIXED_NOW + 180,
                expires_at: FIXED_NOW + 180 + 43_200,
            },
            None,
            &sunledger_store::NewAuthEvent {
                at: FIXED_NOW + 180,
                kind: sunledger_store::AuthEventKind::SignIn,
                region: Some(target.region),
                username: Some(target.username.clone()),
                user_id: Some(target.id),
                actor_id: Some(target.id),
                ip: Some("127.0.0.1".into()),
                detail: String::new(),
            },
        )
        .await
        .expect("sign in");
    // The demo's overdue application proposed on the ladder (issue 17), and the proposal
    // dismissed: the demo proposes none itself.
    let roots: Vec<_> = store
        .region_roots()
        .await
        .expect("roots")
        .into_iter()
        .map(|r| r.code)
        .collect();
    let made = store
        .propose_overdue(&roots, FIXED_NOW + 240)
        .await
        .expect("overdue proposals");
    let first = made.first().expect("the demo has an overdue application");
    store
        .decide_overdue_proposal(
            first.id,
            &sunledger_store::OverdueDecision::Dismiss {
                reason: "已组织验收组，下周验收".into(),
            },
            Some(admin.id),
            FIXED_NOW + 300,
        )
        .await
        .expect("dismiss");
    let mut empty = Vec::new();
    for table in sunledger_store::FACT_TABLES {
        let facts = store
            .facts_of_table(table, 0, 1)
            .await
            .expect("facts of table");
        if facts.is_empty() {
            empty.push(table);
        }
    }
    assert!(empty.is_empty(), "no fact booked in {empty:?}");
    let size = store.log_size().await.expect("log size");
    // A password's (and a complaint PIN's) digest is of its salted hash, new at every run: the
    // snapshot is the root of the same leaves with those digests masked (the served root must agree without masking).
    let mut tree = sunledger_core::log::merkle::MemoryTree::new();
    let mut from = 0;
    loop {
        let leaves = store.log_leaves(from, 10_000).await.expect("leaves");
        if leaves.is_empty() {
            break;
        }
        from += leaves.len() as u64;
        for l in leaves {
            let mut data = l.data.clone();
            if l.kind == "account.password" {
                let mut v: serde_json::Value = serde_json::from_slice(&data).expect("json");
                v["fields"]["password_sha256"] = serde_json::Value::from("masked");
                data = serde_json::to_vec(&v).expect("json");
            }
            if l.kind == "complaint.received" {
                let mut v: serde_json::Value = serde_json::from_slice(&data).expect("json");
                v["fields"]["pin_sha256"] = serde_json::Value::from("masked");
                data = serde_json::to_vec(&v).expect("json");
            }
            assert_eq!(tree.size(), l.index, "leaves in order");
            tree.push_data(&data);
        }
    }
    assert_eq!(tree.size(), size);
    let masked = tree.root(size).expect("root");
    let hex: String = masked.iter().map(|b| format!("{b:02x}")).collect();
    format!("{size} {hex}\n")
}

async fn log_root_matches_the_committed_value(db: crate::support::TestDb) {
    let got = book_every_kind(&db).await;
    if std::env::var("SUNLEDGER_BLESS")
        .map(|v| v == "1")
        .unwrap_or(false)
        && db.url.starts_with("sqlite")
    {
        std::fs::write(log_root_path(), &got).expect("write log_root.txt");
        return;
    }
    let committed = std::fs::read_to_string(log_root_path()).unwrap_or_default();
    assert!(
        committed == got,
        "the booked facts changed (log size and root {got:?}, committed {committed:?}): \
         a restructure must not change them; if the change is meant, run with SUNLEDGER_BLESS=1 \
         and commit tests/it/log_root.txt"
    );
}

crate::both!(log_root, log_root_matches_the_committed_value);
