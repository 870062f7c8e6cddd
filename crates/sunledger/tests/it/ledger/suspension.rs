//! Suspensions are scoped to the issuing unit, through the real server.
use super::*;
use crate::cross_county::scalar;
use serde_json::json;
/// The ids of the active suspensions a region's ledger lists.
async fn listed(c: &reqwest::Client, app: &crate::support::TestApp, region: &str) -> Vec<i64> {
    let r = c
        .get(app.url(&format!("/api/v1/regions/{region}/ledger")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    v["suspensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

/// What the steps share: the server, the two counties' finance officials, 石门县's fund and
/// project, and the payee only 石门县 pays.
struct Cx<'a> {
    app: &'a crate::support::TestApp,
    shimen: reqwest::Client,
    yunling: reqwest::Client,
    fund: i64,
    project: i64,
    payee: &'static str,
}

/// Every kind of suspension (project, region, payee) from 云岭县 against 石门县's payments: a
/// county cannot stop another county's payments, a payee suspension holds in the issuing unit's
/// subtree only, and whatever refuses a payment is listed to the refused official, named with its
/// issuing unit in the error, and lifted by the issuer or a level above only.
async fn suspensions_are_scoped_to_the_issuing_unit(app: crate::support::TestApp) {
    let shimen = app.signed_in("shimen.finance").await;
    let yunling = app.signed_in("yunling.finance").await;
    let db = &app.db;
    let fund = scalar(
        db,
        "SELECT MIN(id) FROM funds WHERE region_code = '529122000000'",
    )
    .await
    .expect("石门县's county fund");
    let project = scalar(
        db,
        "SELECT MIN(id) FROM projects WHERE county_code = '529122'",
    )
    .await
    .expect("a 石门县 project");
    let payee = "石门县磐石建材有限公司";
    let cx = &Cx {
        app: &app,
        shimen,
        yunling,
        fund,
        project,
        payee,
    };
    let d1 = step_arrange(cx).await;
    let own_id = step_own_county(cx).await;
    step_refused_elsewhere(cx).await;
    let d2 = step_shimen_pays(cx, d1).await;
    step_not_shimens(cx, own_id).await;
    step_city_wide(cx, d2).await;
    step_issuer_lifts(cx, own_id).await;
}

/// 石门县 arranges money to its project and approves a payment to a payee only it pays.
async fn step_arrange(cx: &Cx<'_>) -> i64 {
    let Cx {
        app,
        fund,
        project,
        payee,
        ..
    } = *cx;
    let shimen = cx.shimen.clone();
    // 石门县 arranges money to its project and approves a payment to a payee only it pays.
    let (st, b) = post_json(&shimen, app, "/api/v1/transfers", json!({"client_id": "sc-arrange", "fund_id": fund,
        "kind": "arrange", "from": {"region": "529122"}, "to": {"project": project}, "amount": "500000.00",
        "booked_on": "2026-06-01", "document_no": "石财〔2026〕1号", "purpose": "安排项目资金"})).await;
    assert_eq!(st, 201, "{b}");
    let disburse = |cid: &str| {
        json!({"client_id": cid, "fund_id": fund, "kind": "disburse", "from": {"project": project},
            "payee": payee, "amount": "1000.00", "booked_on": "2026-06-02",
            "document_no": format!("石支〔2026〕{cid}号"), "purpose": "材料款"})
    };
    let (st, d1) = post_json(&shimen, app, "/api/v1/transfers", disburse("sc-d1")).await;
    assert_eq!(st, 201, "{d1}");
    d1["id"].as_i64().unwrap()
}

/// 云岭县 suspends the payee: in its own county.
async fn step_own_county(cx: &Cx<'_>) -> i64 {
    let Cx { app, payee, .. } = *cx;
    let yunling = cx.yunling.clone();
    // 云岭县 suspends the payee: in its own county.
    let (st, own) = post_json(
        &yunling,
        app,
        "/api/v1/suspensions",
        json!({"target_kind": "payee",
        "target": payee, "reason": "云岭县核查", "document_no": "云财监〔2026〕1号"}),
    )
    .await;
    assert_eq!(st, 201, "{own}");
    assert_eq!(own["region"], "529121000000", "issued by 云岭县 for 云岭县");
    own["id"].as_i64().unwrap()
}

/// Every kind aimed at 石门县 is refused, through the server and the store.
async fn step_refused_elsewhere(cx: &Cx<'_>) {
    let Cx {
        app,
        project,
        payee,
        ..
    } = *cx;
    let yunling = cx.yunling.clone();
    // Every kind aimed at 石门县 is refused: its project, its region, the payee there or city-wide.
    for (kind, target, region) in [
        ("project", project.to_string(), None),
        ("region", "529122".to_string(), None),
        ("region", "529122100".to_string(), None),
        ("payee", payee.to_string(), Some("529122")),
        ("payee", payee.to_string(), Some("5291")),
    ] {
        let (st, b) = post_json(&yunling, app, "/api/v1/suspensions", json!({"target_kind": kind,
            "target": target, "reason": "越权", "document_no": "云财监〔2026〕2号", "region": region})).await;
        assert!(
            matches!(st, 403 | 404 | 422),
            "{kind} {target} {region:?}: {st} {b}"
        );
    }
    // Nor may the store book one outside the issuing unit.
    let s = app.db.store.as_ref();
    for target in [
        SuspensionTarget::Project(project),
        SuspensionTarget::Region(rc(K2)),
    ] {
        let e = s
            .suspend(&target, &rc(K), "越权", "云财监〔2026〕3号", None, now())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Rule(_)), "{target:?}: {e:?}");
    }
}

/// 石门县 pays and books new payments to the payee.
async fn step_shimen_pays(cx: &Cx<'_>, d1: i64) -> i64 {
    let Cx {
        app,
        fund,
        project,
        payee,
        ..
    } = *cx;
    let shimen = cx.shimen.clone();
    let disburse = |cid: &str| {
        json!({"client_id": cid, "fund_id": fund, "kind": "disburse", "from": {"project": project},
            "payee": payee, "amount": "1000.00", "booked_on": "2026-06-02",
            "document_no": format!("石支〔2026〕{cid}号"), "purpose": "材料款"})
    };
    // 石门县 pays and books new payments to the payee.
    let (st, b) = post_json(
        &shimen,
        app,
        &format!("/api/v1/transfers/{d1}/payment"),
        json!({"action": "pay", "on": "2026-06-03"}),
    )
    .await;
    assert_eq!(st, 200, "石门县's payment stopped by 云岭县: {b}");
    let (st, d2) = post_json(&shimen, app, "/api/v1/transfers", disburse("sc-d2")).await;
    assert_eq!(st, 201, "{d2}");
    d2["id"].as_i64().unwrap()
}

/// 云岭县's suspension is not 石门县's business; in 云岭县 it holds.
async fn step_not_shimens(cx: &Cx<'_>, own_id: i64) {
    let Cx { app, payee, .. } = *cx;
    let shimen = cx.shimen.clone();
    let yunling = cx.yunling.clone();
    let db = &app.db;
    // 云岭县's suspension is not 石门县's business: not listed there, not to be lifted there.
    assert!(!listed(&shimen, app, "529122").await.contains(&own_id));
    let (st, _) = post_json(
        &shimen,
        app,
        &format!("/api/v1/suspensions/{own_id}/resume"),
        json!({"document_no": "石财〔2026〕2号"}),
    )
    .await;
    assert_eq!(st, 404);
    assert!(listed(&yunling, app, "529121").await.contains(&own_id));
    // In 云岭县 it holds: a payment there to the payee is refused, naming 云岭县.
    let yl_project = scalar(
        db,
        "SELECT MIN(project_id) FROM ledger_accounts WHERE county_code = '529121' \
        AND owner_kind = 'project' AND credited - debited - held >= 100000",
    )
    .await
    .expect("a funded 云岭县 project");
    let yl_fund = scalar(
        db,
        &format!(
            "SELECT MIN(fund_id) FROM ledger_accounts WHERE project_id = {yl_project} \
        AND credited - debited - held >= 100000"
        ),
    )
    .await
    .unwrap();
    let (st, b) = post_json(
        &yunling,
        app,
        "/api/v1/transfers",
        json!({"client_id": "sc-yl", "fund_id": yl_fund,
        "kind": "disburse", "from": {"project": yl_project}, "payee": payee, "amount": "10.00",
        "booked_on": "2026-06-02", "document_no": "云支〔2026〕1号", "purpose": "材料款"}),
    )
    .await;
    assert_eq!(st, 409, "{b}");
    assert_eq!(b["error"]["code"], "suspended");
    let msg = b["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("云岭县") && msg.contains(&own_id.to_string()),
        "{msg}"
    );
}

/// A city-wide suspension refuses 石门县's payment; the city lifts it, 石门县 cannot.
async fn step_city_wide(cx: &Cx<'_>, d2: i64) {
    let Cx { app, payee, .. } = *cx;
    let shimen = cx.shimen.clone();
    let s = app.db.store.as_ref();
    // A city-wide suspension (the city's finance) refuses 石门县's payment: the error names it and
    // its issuing unit, 石门县's ledger lists it, and 石门县 cannot lift it; the city can.
    let city = s
        .suspend(
            &SuspensionTarget::Payee(payee.into()),
            &rc(CITY),
            "市级专项核查",
            "青财监〔2026〕1号",
            None,
            now(),
        )
        .await
        .unwrap();
    let (st, b) = post_json(
        &shimen,
        app,
        &format!("/api/v1/transfers/{d2}/payment"),
        json!({"action": "pay", "on": "2026-06-04"}),
    )
    .await;
    assert_eq!(st, 409, "{b}");
    assert_eq!(b["error"]["code"], "suspended");
    let msg = b["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&city.id.to_string())
            && msg.contains("青山市")
            && msg.contains("青财监〔2026〕1号"),
        "{msg}"
    );
    assert!(listed(&shimen, app, "529122").await.contains(&city.id));
    assert!(listed(&shimen, app, "529122100").await.contains(&city.id));
    let (st, _) = post_json(
        &shimen,
        app,
        &format!("/api/v1/suspensions/{}/resume", city.id),
        json!({"document_no": "石财〔2026〕3号"}),
    )
    .await;
    assert_eq!(st, 403, "a county lifts the city's suspension");
    let admin = app.signed_in("admin").await;
    let (st, u) = post_json(&admin, app, "/api/v1/users", json!({"username": "city.finance",
        "display_name": "市财政局 测试", "password": sunledger::demo::DEMO_PASSWORD, "region": CITY})).await;
    assert_eq!(st, 201, "{u}");
    let (st, g) = post_json(
        &admin,
        app,
        &format!("/api/v1/users/{}/grants", u["id"]),
        json!({"role": "finance", "region": CITY}),
    )
    .await;
    assert_eq!(st, 201, "{g}");
    let city_fin = app.signed_in("city.finance").await;
    let (st, b) = post_json(
        &city_fin,
        app,
        &format!("/api/v1/suspensions/{}/resume", city.id),
        json!({"document_no": "青财监〔2026〕2号"}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = post_json(
        &shimen,
        app,
        &format!("/api/v1/transfers/{d2}/payment"),
        json!({"action": "pay", "on": "2026-06-04"}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
}

/// The issuer lifts its own.
async fn step_issuer_lifts(cx: &Cx<'_>, own_id: i64) {
    let Cx { app, .. } = *cx;
    let yunling = cx.yunling.clone();
    // The issuer lifts its own.
    let (st, b) = post_json(
        &yunling,
        app,
        &format!("/api/v1/suspensions/{own_id}/resume"),
        json!({"document_no": "云财监〔2026〕4号"}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
}
crate::both_app!(
    suspensions_are_scoped,
    suspensions_are_scoped_to_the_issuing_unit
);
