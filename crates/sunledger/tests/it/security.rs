//! Sign-in, sessions and request-origin rules, through the real server.
use crate::support::TestApp;
use serde_json::{Value, json};

fn session_token(resp: &reqwest::Response) -> String {
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sunledger_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("sunledger_session=")
        .to_string()
}

async fn whoami(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/api/v1/session"))
        .header("cookie", format!("sunledger_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn sessions_rotate_and_end_on_the_server(app: TestApp) {
    let c = app.client();
    let creds = json!({"username": "yunling.finance", "password": sunledger::demo::DEMO_PASSWORD});
    let r1 = c
        .post(app.url("/api/v1/session"))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(r1.status(), 200);
    let t1 = session_token(&r1);
    assert_eq!(whoami(&app, &t1).await, 200);
    // Signing in again with the same jar rotates the token and kills the old one.
    let r2 = c
        .post(app.url("/api/v1/session"))
        .json(&creds)
        .send()
        .await
        .unwrap();
    let t2 = session_token(&r2);
    assert_ne!(t1, t2);
    assert_eq!(
        whoami(&app, &t1).await,
        401,
        "old token must be dead after sign-in"
    );
    assert_eq!(whoami(&app, &t2).await, 200);
    // Sign-out deletes the session on the server: replaying the token fails.
    let r = c.delete(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        whoami(&app, &t2).await,
        401,
        "token must be dead after sign-out"
    );
    // The store keeps a hash, never the token itself.
    let hash = sunledger_web::app::ctx::token_hash(&t2);
    assert_ne!(hash, t2);
    assert_eq!(
        app.db
            .store
            .session_user(&hash, crate::support::now())
            .await
            .unwrap(),
        None
    );
    // The password is an argon2id hash at OWASP's minimum.
    let u = app
        .db
        .store
        .user_by_username("yunling.finance")
        .await
        .unwrap()
        .unwrap();
    assert!(
        u.password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        u.password_hash
    );
}
crate::both_app!(
    sessions_rotate_and_end_on_the_server_on,
    sessions_rotate_and_end_on_the_server
);

async fn cross_origin_changes_are_refused(app: TestApp) {
    let c = app.client();
    let creds = json!({"username": "admin", "password": sunledger::demo::DEMO_PASSWORD});
    let r = c
        .post(app.url("/api/v1/session"))
        .header("origin", "http://evil.example")
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_origin");
    let r = c
        .post(app.url("/api/v1/session"))
        .header("origin", format!("http://{}", app.addr))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "same origin is fine");
    // A signed-in browser tricked by another site into posting a form.
    let r = c
        .post(app.url("/admin/users"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("username", "evil"),
            ("display_name", "x"),
            ("password", "long-enough-pw"),
            ("region", "5291"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("拒绝来自其他网站的修改请求")
    );
    assert!(
        app.db
            .store
            .user_by_username("evil")
            .await
            .unwrap()
            .is_none()
    );
    // GET from anywhere is fine (no state change).
    let r = c
        .get(app.url("/api/v1/regions/5291"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
crate::both_app!(
    cross_origin_changes_are_refused_on,
    cross_origin_changes_are_refused
);

async fn repeated_failures_get_429_and_are_recorded(app: TestApp) {
    let c = app.client();
    let bad = json!({"username": "yunling.party", "password": "wrong-password"});
    for i in 0..5 {
        let r = c
            .post(app.url("/api/v1/session"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "attempt {i}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_credentials");
    }
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    // Even the right password waits out the window.
    let good = json!({"username": "yunling.party", "password": sunledger::demo::DEMO_PASSWORD});
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // Another account from the same address is not locked by this one's failures.
    let other = json!({"username": "yunling.bureau", "password": sunledger::demo::DEMO_PASSWORD});
    assert_eq!(
        c.post(app.url("/api/v1/session"))
            .json(&other)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // The county's discipline inspector sees the failures in the record.
    let d = app.signed_in("yunling.discipline").await;
    let events: Value = d
        .get(app.url("/api/v1/auth-events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sign_in_failed" && e["username"] == "yunling.party")
        .count();
    assert_eq!(failed, 7, "five failures and two refusals are recorded");
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "sign_in" && e["username"] == "yunling.bureau")
    );
}
crate::both_app!(
    repeated_failures_get_429_and_are_recorded_on,
    repeated_failures_get_429_and_are_recorded
);

async fn accounts_grants_and_revocations_are_recorded(app: TestApp) {
    let admin = app.signed_in("yunling.admin").await;
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"username": "qs.staff", "display_name": "清水 测试", "password": "a-long-password", "region": "529121100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let user: Value = r.json().await.unwrap();
    let uid = user["id"].as_i64().unwrap();
    // Duplicate username: 409 naming the field.
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"username": "qs.staff", "display_name": "x", "password": "a-long-password", "region": "529121"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "username", "{body}");
    // A county admin cannot grant outside the county.
    let r = admin
        .post(app.url(&format!("/api/v1/users/{uid}/grants")))
        .json(&json!({"role": "finance", "region": "5291"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = admin
        .post(app.url(&format!("/api/v1/users/{uid}/grants")))
        .json(&json!({"role": "township_official", "region": "529121100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let grant: Value = r.json().await.unwrap();
    let gid = grant["id"].as_i64().unwrap();
    // The new account can act in its township and nowhere else.
    let staff = app.client();
    let r = staff
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "qs.staff", "password": "a-long-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        staff
            .get(app.url("/api/v1/regions/529121100/departments"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        staff
            .get(app.url("/api/v1/regions/529121101/departments"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = admin
        .delete(app.url(&format!("/api/v1/users/{uid}/grants/{gid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        staff
            .get(app.url("/api/v1/regions/529121100/departments"))
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "revocation takes effect at once"
    );
    let r = admin
        .delete(app.url(&format!("/api/v1/users/{uid}/grants/{gid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "already revoked");
    // History keeps the revoked grant.
    let detail: Value = admin
        .get(app.url(&format!("/api/v1/users/{uid}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["grants"].as_array().unwrap().len(), 1);
    assert!(detail["grants"][0]["revoked_at"].is_i64());
    let events: Value = admin
        .get(app.url("/api/v1/auth-events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["username"] == "qs.staff")
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in ["user_added", "grant", "sign_in", "revoke"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
}
crate::both_app!(
    accounts_grants_and_revocations_are_recorded_on,
    accounts_grants_and_revocations_are_recorded
);

async fn errors_name_the_field_in_the_users_language(app: TestApp) {
    let admin = app.signed_in("yunling.admin").await;
    let bad = json!({"kind": "finance_bureau", "name": "云岭县测试局", "credit_code": "91350100M000100Y44"});
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "credit_code");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("统一社会信用代码"),
        "{body}"
    );
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments?lang=en"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unified social credit code"),
        "{body}"
    );
    // A village committee cannot exist at county level.
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments"))
        .json(&json!({"kind": "village_committee", "name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "kind");
    // Malformed JSON is a clear 422, not a crash.
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments"))
        .header("content-type", "application/json")
        .body("{\"kind\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "bad_request"
    );
    // A valid code books once.
    let good = json!({"kind": "finance_bureau", "name": "云岭县测试局", "credit_code": "91350100M000100Y43"});
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = admin
        .post(app.url("/api/v1/regions/529121/departments"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // People: position must exist in that kind of department.
    let dept: Value = admin
        .get(app.url("/api/v1/regions/529121100201/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let team = dept
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "resident_work_team");
    if let Some(team) = team {
        let id = team["id"].as_i64().unwrap();
        let r = admin
            .post(app.url(&format!("/api/v1/departments/{id}/people")))
            .json(&json!({"name": "赵刚", "position": "first_secretary"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let vc = dept
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "village_committee")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .post(app.url(&format!("/api/v1/departments/{vc}/people")))
        .json(&json!({"name": "赵刚", "position": "captain"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "position"
    );
}
crate::both_app!(
    errors_name_the_field_in_the_users_language_on,
    errors_name_the_field_in_the_users_language
);
