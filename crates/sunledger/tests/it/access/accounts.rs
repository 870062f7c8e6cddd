//! Disabling and enabling accounts.
use super::*;
use sunledger_store::User;
/// Finding 6: accounts are disabled and re-enabled by the API, the page and the CLI; disabling
/// ends the account's sessions at once and is booked in the log (verify stays clean).
async fn accounts_can_be_disabled_and_enabled(app: TestApp) {
    let (target, admin, url) = step_disable(&app).await;
    step_refusals(&app, &target, &admin).await;
    step_logged(&app).await;
    step_page(&app, &target, &admin, &url).await;
    step_cli(&app, &target).await;
    step_record(&app).await;
}

/// An administrator disables an account: its session ends at once, and it cannot sign in.
async fn step_disable(app: &TestApp) -> (User, reqwest::Client, String) {
    let party = app.signed_in("yunling.party").await;
    assert_eq!(
        party
            .get(app.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let target = app
        .db
        .store
        .user_by_username("yunling.party")
        .await
        .unwrap()
        .unwrap();
    let admin = app.signed_in("yunling.admin").await;
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", target.id)))
        .json(&json!({"reason": "离岗"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["disabled"], true);
    // Its session ended at once, and it cannot sign in.
    assert_eq!(
        party
            .get(app.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let url = app.url("/api/v1/session");
    assert_eq!(
        sign_in_status(&app.client(), &url, "yunling.party", PW).await,
        401
    );
    (target, admin, url)
}

/// Twice is a conflict; oneself is refused; someone outside the admin's areas is hidden.
async fn step_refusals(app: &TestApp, target: &User, admin: &reqwest::Client) {
    // Twice is a conflict; oneself is refused; someone outside the admin's areas is hidden.
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", target.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let me = app
        .db
        .store
        .user_by_username("yunling.admin")
        .await
        .unwrap()
        .unwrap();
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", me.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "user");
    let city = app
        .db
        .store
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", city.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// Booked in the log.
async fn step_logged(app: &TestApp) {
    // Booked in the log.
    let leaves = app
        .db
        .store
        .log_leaves_of("account_status", 1)
        .await
        .unwrap();
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].kind, "account.disable");
}

/// The page: the account's record shows it, and its button enables it again.
async fn step_page(app: &TestApp, target: &User, admin: &reqwest::Client, url: &str) {
    // The page: the account's record shows it, and its button enables it again.
    let html = admin
        .get(app.url(&format!("/admin/users/{}", target.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已停用") && html.contains("启用账号"),
        "{html}"
    );
    crate::support::assert_no_catalogue_keys(&html);
    let r = admin
        .post(app.url(&format!("/admin/users/{}/enable", target.id)))
        .form(&[("reason", "返岗")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        sign_in_status(&app.client(), url, "yunling.party", PW).await,
        200
    );
    let leaves = app
        .db
        .store
        .log_leaves_of("account_status", 2)
        .await
        .unwrap();
    assert_eq!(leaves[0].kind, "account.enable");
}

/// The CLI.
async fn step_cli(app: &TestApp, target: &User) {
    // The CLI.
    let (code, out, err) = crate::support::sunledger(
        &app.db,
        &["users", "disable", "yunling.party", "--reason", "cli"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        app.db
            .store
            .user(target.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let (_, out, _) = crate::support::sunledger(&app.db, &["users", "list"], None);
    assert!(
        out.lines()
            .any(|l| l.starts_with("yunling.party\t") && l.ends_with("\tdisabled")),
        "{out}"
    );
    let (code, out, err) =
        crate::support::sunledger(&app.db, &["users", "enable", "yunling.party"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !app.db
            .store
            .user(target.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}

/// The record, and a clean verify.
async fn step_record(app: &TestApp) {
    // The record, and a clean verify.
    let d = app.signed_in("yunling.discipline").await;
    let ev = events(&app.url(""), &d).await;
    assert!(
        ev.iter()
            .any(|e| e["kind"] == "disable" && e["detail"] == "离岗")
    );
    assert!(ev.iter().any(|e| e["kind"] == "enable"));
    let report = sunledger::verify::verify(app.db.store.as_ref(), &[])
        .await
        .unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
crate::both_app!(
    accounts_can_be_disabled_and_enabled_on,
    accounts_can_be_disabled_and_enabled
);
