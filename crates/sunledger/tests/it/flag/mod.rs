//! Red flags (issue 20) through the real server on both backends, over the demo city (whose load
//! ends with a scan): a second scan raises no flag again; a county's override of a parameter is
//! booked in the log and changes the flags a scan raises, as core computes them; a dismissal
//! needs a reason and a case opens a Book 3 problem carrying the evidence; a township official
//! sees only the flags of the township, on every route; `verify` names an edited flag.
use crate::support::{TestApp, json_of, post_json, raw_sql, rc};
use serde_json::{Value, json};
use sunledger_core::flag::{self as rules, Settings};
use sunledger_store::{FlagFilter, Store};

const COUNTY: &str = "529121000000";

async fn flags_of(app: &TestApp, c: &reqwest::Client, query: &str) -> Vec<Value> {
    let v = json_of(
        c.get(app.url(&format!("/api/v1/flags?{query}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    v["flags"].as_array().unwrap().clone()
}

async fn count(s: &dyn Store, county: &str) -> i64 {
    s.flags(
        &FlagFilter {
            scopes: vec![rc(county)],
            ..Default::default()
        },
        1,
        0,
    )
    .await
    .unwrap()
    .1
}

async fn a_second_scan_raises_nothing_again(app: TestApp) {
    let s = app.db.store.as_ref();
    let before = count(s, "5291").await;
    assert!(before > 0, "the demo's scan raised no flag");
    // Every rule of the demo city's scan is computed again: the same hits, no new flag.
    let bureau = app.signed_in("yunling.bureau").await;
    let (st, reports) = post_json(
        &bureau,
        &app,
        "/api/v1/flags/scan",
        json!({"region": "529121"}),
    )
    .await;
    assert_eq!(st, 200, "{reports}");
    let r = &reports[0];
    assert!(r["hits"].as_i64().unwrap() > 0, "{reports}");
    assert_eq!(r["raised"], 0, "{reports}");
    let (st, again) = post_json(
        &bureau,
        &app,
        "/api/v1/flags/scan",
        json!({"region": "529121"}),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(again[0]["raised"], 0, "{again}");
    assert_eq!(again[0]["hits"], r["hits"], "{again}");
    assert_eq!(count(s, "5291").await, before);
    // Each scan is booked, with the log size its books were read at.
    let scans = s.flag_scans(&[rc(COUNTY)], 10).await.unwrap();
    assert!(scans.len() >= 3, "{scans:?}");
    assert!(scans[0].log_size > scans[2].log_size, "{scans:?}");
    assert_eq!(
        s.log_leaves_of("flag_scans", scans[0].id).await.unwrap()[0].kind,
        "flag.scan"
    );
}
crate::both_app!(
    a_second_scan_raises_nothing_again_on,
    a_second_scan_raises_nothing_again
);

async fn a_county_override_is_booked_and_changes_the_flags(app: TestApp) {
    let s = app.db.store.as_ref();
    let bureau = app.signed_in("yunling.bureau").await;
    let today = sunledger_core::day::today(crate::support::now());
    let input = s.flag_input(&rc(COUNTY), today).await.unwrap();
    let rule = rules::rule("stalled_project").unwrap();
    let doc = "# 县扶贫办〔2026〕12号\nstalled_project.days = 1\n";
    let layers = Settings::parse(doc).unwrap();
    let by_default = rule.run(&input, &rules::values(rule, &[])).len();
    let overridden = rule.run(&input, &rules::values(rule, &[&layers])).len();
    assert!(
        overridden > by_default,
        "the demo's projects do not tell 1 day from 90: {overridden} / {by_default}"
    );

    // A wrong line is named, and nothing is booked.
    let size = s.log_size().await.unwrap();
    let (st, err) = post_json(
        &bureau,
        &app,
        "/api/v1/flag-settings",
        json!({"region": "529121", "body": "stalled_project.days = 1\nsplit_payments.threshold = ten"}),
    )
    .await;
    assert_eq!(st, 422, "{err}");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2: split_payments.threshold = ten"), "{msg}");
    assert_eq!(s.log_size().await.unwrap(), size);
    // A township may not set them; the county may.
    let township = app.signed_in("yunling.township").await;
    let (st, _) = post_json(
        &township,
        &app,
        "/api/v1/flag-settings",
        json!({"region": "529121", "body": doc}),
    )
    .await;
    assert_eq!(st, 403);
    let (st, saved) = post_json(
        &bureau,
        &app,
        "/api/v1/flag-settings",
        json!({"region": "529121", "body": doc, "note": "县扶贫办〔2026〕12号"}),
    )
    .await;
    assert_eq!(st, 200, "{saved}");
    let leaves = s
        .log_leaves_of("flag_settings", saved["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(leaves[0].kind, "flag.settings");
    assert!(
        String::from_utf8_lossy(&leaves[0].data).contains("stalled_project.days = 1"),
        "the override is in the log"
    );
    let view = json_of(
        bureau
            .get(app.url("/api/v1/flag-rules?region=529121"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let param = view["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "stalled_project")
        .unwrap()["params"][0]
        .clone();
    assert_eq!(
        (param["default"].as_i64(), param["value"].as_i64()),
        (Some(90), Some(1))
    );

    // The scan with the override raises what core computes with it, no more.
    let (st, reports) = post_json(
        &bureau,
        &app,
        "/api/v1/flags/scan",
        json!({"region": "529121", "rule": "stalled_project"}),
    )
    .await;
    assert_eq!(st, 200, "{reports}");
    let r = &reports[0];
    assert_eq!(
        r["hits"].as_i64().unwrap() as usize,
        overridden,
        "{reports}"
    );
    assert!(r["raised"].as_i64().unwrap() > 0, "{reports}");
    let raised = flags_of(&app, &bureau, "rule=stalled_project&region=529121").await;
    assert_eq!(raised.len(), overridden, "{raised:?}");
    assert!(raised.iter().any(|f| f["params"] == "days=1"));
}
crate::both_app!(
    a_county_override_is_booked_and_changes_the_flags_on,
    a_county_override_is_booked_and_changes_the_flags
);

async fn a_dismissal_needs_a_reason_and_a_case_opens_a_problem(app: TestApp) {
    let discipline = app.signed_in("yunling.discipline").await;
    let open = flags_of(&app, &discipline, "region=529121&open=1").await;
    let flag = open
        .iter()
        .find(|f| f["project_id"].is_i64())
        .expect("an open flag on a project");
    let id = flag["id"].as_i64().unwrap();
    let (st, err) = post_json(
        &discipline,
        &app,
        &format!("/api/v1/flags/{id}/steps"),
        json!({"action": "dismiss", "reason": "  "}),
    )
    .await;
    assert_eq!(st, 422, "{err}");
    assert_eq!(err["error"]["field"], "reason", "{err}");
    let (st, r) = post_json(
        &discipline,
        &app,
        &format!("/api/v1/flags/{id}/steps"),
        json!({"action": "open_case", "reason": "移交核查"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["flag"]["state"], "case_opened");
    let problem = r["flag"]["problem_id"].as_i64().expect("a problem");
    let p = json_of(
        discipline
            .get(app.url(&format!("/api/v1/problems/{problem}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let description = p["problem"]["description"].as_str().unwrap();
    assert!(
        description.contains(flag["evidence"]["zh"].as_str().unwrap())
            && description.contains(&format!("红旗预警 #{id}")),
        "{description}"
    );
    assert_eq!(p["problem"]["project_id"], flag["project_id"]);
    assert_eq!(
        p["problem"]["amount_fen"].as_i64(),
        Some(0),
        "a project's case is answered by Book 2's people"
    );
    // Final: nothing more may be done with it.
    let (st, _) = post_json(
        &discipline,
        &app,
        &format!("/api/v1/flags/{id}/steps"),
        json!({"action": "dismiss", "reason": "改为排除"}),
    )
    .await;
    assert_eq!(st, 422);
    // A dismissal with its reason is counted on the rules' page.
    let other = open
        .iter()
        .find(|f| f["id"] != id)
        .expect("a second open flag");
    let oid = other["id"].as_i64().unwrap();
    let (st, r) = post_json(
        &discipline,
        &app,
        &format!("/api/v1/flags/{oid}/steps"),
        json!({"action": "dismiss", "reason": "经核实属正常支付"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["events"][0]["reason"], "经核实属正常支付");
    let view = json_of(
        discipline
            .get(app.url("/api/v1/flag-rules"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let counts = &view["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == other["rule_id"])
        .unwrap()["counts"];
    assert!(counts["dismissed"].as_i64().unwrap() >= 1, "{counts}");

    // The page of a flag shows its evidence and its history.
    let html = discipline
        .get(app.url(&format!("/flags/{oid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    crate::support::assert_no_catalogue_keys(&html);
    assert!(html.contains("经核实属正常支付"), "{html}");

    // verify: clean, then names an edited state.
    let s = app.db.store.as_ref();
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    raw_sql(
        &app.db,
        &format!("UPDATE flags SET state = 'open' WHERE id = {oid}"),
    )
    .await;
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    let named: Vec<String> = report.findings.iter().map(|f| f.subject.clone()).collect();
    assert!(named.contains(&format!("flags/{oid}")), "{named:?}");
}
crate::both_app!(
    a_dismissal_needs_a_reason_and_a_case_opens_a_problem_on,
    a_dismissal_needs_a_reason_and_a_case_opens_a_problem
);

async fn a_township_sees_only_its_flags(app: TestApp) {
    let township = app.signed_in("yunling.township").await;
    let bureau = app.signed_in("yunling.bureau").await;
    let mine = flags_of(&app, &township, "").await;
    let county = flags_of(&app, &bureau, "").await;
    assert!(!mine.is_empty(), "the township has no flag in the demo");
    assert!(county.len() > mine.len());
    for f in &mine {
        assert!(
            f["region"].as_str().unwrap().starts_with("529121100"),
            "{f}"
        );
    }
    let outside = county
        .iter()
        .find(|f| !f["region"].as_str().unwrap().starts_with("529121100"))
        .unwrap();
    let oid = outside["id"].as_i64().unwrap();
    for path in [format!("/api/v1/flags/{oid}"), format!("/flags/{oid}")] {
        let r = township.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let (st, _) = post_json(
        &township,
        &app,
        &format!("/api/v1/flags/{oid}/steps"),
        json!({"action": "dismiss", "reason": "越权"}),
    )
    .await;
    assert_eq!(st, 404);
    let csv = township
        .get(app.url("/api/v1/flags.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), mine.len() + 1, "{csv}");
    assert!(!csv.contains(outside["evidence"]["zh"].as_str().unwrap()));
    let html = township
        .get(app.url("/flags"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    crate::support::assert_no_catalogue_keys(&html);
    assert!(!html.contains(&format!("/flags/{oid}\"")));
}

crate::both_app!(
    a_township_sees_only_its_flags_on,
    a_township_sees_only_its_flags
);
