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
