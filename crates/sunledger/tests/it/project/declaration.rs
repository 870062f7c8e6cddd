//! The declaration path through the real server.
use super::*;
use serde_json::json;

/// What the steps share: the signed-in clients, the project's id, the fixed version's body
/// and the project as the bureau last saw it.
#[derive(Default)]
struct Walk {
    village: reqwest::Client,
    township: reqwest::Client,
    bureau: reqwest::Client,
    party: reqwest::Client,
    id: i64,
    body: serde_json::Value,
    view: serde_json::Value,
    /// The passed decision of the village's representatives' meeting the declaration cites.
    item: i64,
}

async fn declaration_on_the_web(app: TestApp) {
    let mut w = Walk {
        village: app.signed_in("yunling.village").await,
        ..Walk::default()
    };
    step_phone_form(&app, &mut w).await;
    step_returned(&app, &mut w).await;
    step_declared_again(&app, &mut w).await;
    step_notice(&app, &mut w).await;
    step_book2(&app, &mut w).await;
    step_change(&app, &mut w).await;
    step_log(&app, &mut w).await;
    step_exports(&app, &mut w).await;
}

/// On the phone form: a missing target comes back filled in; then the village declares.
async fn step_phone_form(app: &TestApp, w: &mut Walk) {
    let village = w.village.clone();
    // On the phone form: a missing target comes back as the same form, filled in, with the reason.
    let mut form = vec![
        ("village", VILLAGE.to_string()),
        ("name", "光伏扶贫电站".to_string()),
        ("category", "industry".to_string()),
        ("fiscal_year", "2026".to_string()),
        ("budget_central_special", "480000.00".to_string()),
        ("budget_county_budget", "20000.50".to_string()),
        ("t0_kind", "quantity".to_string()),
        ("t0_name", "建设村级光伏电站".to_string()),
        ("t0_operator", "ge".to_string()),
        ("t0_target", "300".to_string()),
        ("t0_unit", "千瓦".to_string()),
        ("t0_weight", "".to_string()),
        ("t0_core", "1".to_string()),
        ("t1_kind", "satisfied".to_string()),
        ("t1_name", "受益群众满意度".to_string()),
        ("t1_operator", "ge".to_string()),
        ("t1_target", "95".to_string()),
        ("t1_unit", "%".to_string()),
        ("t1_weight", "20".to_string()),
        ("declare", "1".to_string()),
    ];
    let r = village
        .post(app.url("/projects"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    // The weight of the first indicator row is missing: named by its row, the rows kept as typed.
    assert!(
        html.contains("绩效指标第 1 行的权重")
            && html.contains("光伏扶贫电站")
            && html.contains("480000.00")
            && html.contains("value=\"建设村级光伏电站\"")
            && html.contains("value=\"千瓦\""),
        "{html}"
    );
    // Weights that do not add up to 100 are refused as a whole.
    form[11].1 = "70".into();
    let r = village
        .post(app.url("/projects"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("权重之和须为 100"), "{html}");
    form[11].1 = "80".into();
    // Declaring needs the meeting's decision (issue 18): without one, or with one that failed,
    // it is refused, naming the field.
    let r = village
        .post(app.url("/projects"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("会议表决事项") && html.contains("光伏扶贫电站"),
        "{html}"
    );
    let now = sunledger_web::Clock::now(&*app.clock);
    let (mid, roster) = crate::meeting::web::call_representatives(app, &village, 31, false).await;
    crate::meeting::web::tick(app, &village, mid, &roster[..21]).await;
    let items = app.url(&format!("/api/v1/meetings/{mid}/items"));
    let vote =
        |f: &str| json!({"title": "表决：光伏扶贫电站申报", "decision": true, "votes_for": f});
    let (_, failed) = crate::acceptance::post(&village, items.clone(), &vote("10")).await;
    assert_eq!(failed["outcome"], "failed");
    let (_, passed) = crate::acceptance::post(&village, items.clone(), &vote("11")).await;
    assert_eq!(passed["outcome"], "passed");
    let mut cite = form.clone();
    cite.push(("meeting_item_id", failed["id"].to_string()));
    let r = village
        .post(app.url("/projects"))
        .form(&cite)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("该表决未通过或无效"));
    // A decision of another village is refused like an unknown one.
    let other = approved_item(app.db.store.as_ref(), "529121100202", now).await;
    let mut cite = form.clone();
    cite.push(("meeting_item_id", other.to_string()));
    let r = village
        .post(app.url("/projects"))
        .form(&cite)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    w.item = passed["id"].as_i64().unwrap();
    form.push(("meeting_item_id", w.item.to_string()));
    let r = village
        .post(app.url("/projects"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/projects/").parse().unwrap();
    w.id = id;
    // The project page shows the vote it was declared on, with the meeting.
    let html = village
        .get(app.url(&format!("/projects/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("赞成 11，反对 0，弃权 0；到会 21 / 应到 31")
            && html.contains(&format!("/meetings/{mid}")),
        "{html}"
    );
}

/// The township returns it; the village may not approve its own project.
async fn step_returned(app: &TestApp, w: &mut Walk) {
    let village = w.village.clone();
    let id = w.id;
    let step = |c: &reqwest::Client, action: &str, comment: &str| {
        c.post(app.url(&format!("/api/v1/projects/{id}/steps")))
            .json(&json!({"action": action, "comment": comment}))
            .send()
    };
    // The township returns it; the village may not approve its own project.
    let township = app.signed_in("yunling.township").await;
    json_of(step(&village, "township_approve", "").await.unwrap(), 403).await;
    let p = json_of(
        step(&township, "township_return", "缺少电网接入意见")
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(p["stage"], "returned_to_village");
    w.township = township;
}

/// The village fixes it (a new version) and declares again.
async fn step_declared_again(app: &TestApp, w: &mut Walk) {
    let village = w.village.clone();
    let township = w.township.clone();
    let id = w.id;
    let step = |c: &reqwest::Client, action: &str, comment: &str| {
        c.post(app.url(&format!("/api/v1/projects/{id}/steps")))
            .json(&json!({"action": action, "comment": comment}))
            .send()
    };
    // The village fixes it (a new version) and declares again.
    let body = json!({
        "village": VILLAGE, "name": "光伏扶贫电站", "category": "industry", "fiscal_year": 2026,
        "budget": [{"source": "central_special", "amount": "480000.00"}, {"source": "county_budget", "amount": "20000.50"}],
        "targets": crate::support::targets_json(), "meeting_item_id": w.item,
        "description": "附供电所接入意见"});
    let p = json_of(
        village
            .post(app.url(&format!("/api/v1/projects/{id}/versions")))
            .json(&body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_eq!(p["version"], 2);
    json_of(step(&village, "declare", "").await.unwrap(), 200).await;
    let p = json_of(step(&township, "township_approve", "").await.unwrap(), 200).await;
    assert_eq!(p["stage"], "noticed");
    w.body = body;
}

/// During the notice: an objection; the county must wait and answer first.
async fn step_notice(app: &TestApp, w: &mut Walk) {
    let village = w.village.clone();
    let id = w.id;
    let step = |c: &reqwest::Client, action: &str, comment: &str| {
        c.post(app.url(&format!("/api/v1/projects/{id}/steps")))
            .json(&json!({"action": action, "comment": comment}))
            .send()
    };
    // During the notice: an objection is recorded; the county must wait and answer first.
    let bureau = app.signed_in("yunling.bureau").await;
    let e = json_of(step(&bureau, "county_approve", "").await.unwrap(), 422).await;
    assert_eq!(e["error"]["field"], "action");
    let today = sunledger_core::day::format(sunledger_core::day::today(now()));
    let o = json_of(
        village
            .post(app.url(&format!("/api/v1/projects/{id}/objections")))
            .json(&json!({"objector": "村民王某", "content": "电站选址离学校太近", "received_on": today}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    app.clock.advance_days(10);
    // Sessions last 12 hours: sign in again after the notice period.
    let village = app.signed_in("yunling.village").await;
    let township = app.signed_in("yunling.township").await;
    let bureau = app.signed_in("yunling.bureau").await;
    let e = json_of(step(&bureau, "county_approve", "").await.unwrap(), 422).await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("异议"),
        "{e}"
    );
    json_of(
        township
            .post(app.url(&format!("/api/v1/objections/{}/answer", o["id"])))
            .json(&json!({"answer": "已核实，选址距学校 800 米，符合规定"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let p = json_of(step(&bureau, "county_approve", "").await.unwrap(), 200).await;
    assert_eq!(
        (p["stage"].as_str(), p["approved_version"].as_i64()),
        (Some("approved"), Some(2))
    );
    let city = app.signed_in("city.bureau").await;
    let p = json_of(step(&city, "record", "").await.unwrap(), 200).await;
    assert_eq!(p["stage"], "recorded");
    w.village = village;
    w.township = township;
    w.bureau = bureau;
}

/// Book 2: the bureau names who answers for it; a county official sees since when.
async fn step_book2(app: &TestApp, w: &mut Walk) {
    let village = w.village.clone();
    let bureau = w.bureau.clone();
    let id = w.id;
    // Book 2: the bureau names who answers for it; a county official sees since when.
    let s = app.db.store.as_ref();
    let mut cadre = None;
    for d in s.departments_in(&rc(VILLAGE)).await.unwrap() {
        if d.kind == "village_committee" {
            cadre = s
                .people_in_department(d.id)
                .await
                .unwrap()
                .first()
                .map(|p| p.id);
        }
    }
    let cadre = cadre.expect("a village committee member");
    json_of(
        village
            .post(app.url(&format!("/api/v1/projects/{id}/responsibilities")))
            .json(&json!({"person_id": cadre, "role": "village_cadre", "start_on": "2026-01-08"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    json_of(
        bureau
            .post(app.url(&format!("/api/v1/projects/{id}/responsibilities")))
            .json(&json!({"person_id": cadre, "role": "village_cadre", "start_on": "2026-01-08"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let party = app.signed_in("yunling.party").await;
    let book = json_of(
        party
            .get(app.url(&format!(
                "/api/v1/responsibilities?project={id}&on=2026-02-01"
            )))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(book.as_array().unwrap().len(), 1);
    assert_eq!(book[0]["start_on"], "2026-01-08");
    let html = party
        .get(app.url(&format!("/projects/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for want in [
        "光伏扶贫电站",
        "缺少电网接入意见",
        "已报市级备案",
        "电站选址离学校太近",
        "村干部",
        "批准后的变更",
    ] {
        if want == "批准后的变更" {
            assert!(!html.contains(want), "no changes after approval yet");
        } else {
            assert!(html.contains(want), "{want} missing from the project page");
        }
    }
    w.party = party;
}

/// A change after approval shows against the approved version, not on the public notice.
async fn step_change(app: &TestApp, w: &mut Walk) {
    let body = w.body.clone();
    let bureau = w.bureau.clone();
    let party = w.party.clone();
    let id = w.id;
    // A change after approval shows against the approved version.
    let mut changed = body.clone();
    changed["budget"] = json!([{"source": "central_special", "amount": "520000.00"}]);
    changed["note"] = json!("追加中央资金");
    json_of(
        bureau
            .post(app.url(&format!("/api/v1/projects/{id}/versions")))
            .json(&changed)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let view = json_of(
        bureau
            .get(app.url(&format!("/api/v1/projects/{id}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(view["changes"][0]["field"], "budget");
    let html = party
        .get(app.url(&format!("/projects/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("批准后的变更") && html.contains("520,000.00"));
    // The public notice, read without signing in, shows what the county approved, its lines and
    // their total, not the revision waiting for approval.
    let public = app
        .client()
        .get(app.url(&format!("/public/projects/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    let public = public.text().await.unwrap();
    assert!(
        public.contains("¥480,000.00") && public.contains("合计 ¥500,000.50"),
        "{public}"
    );
    assert!(!public.contains("520,000.00"), "{public}");
    w.view = view;
}

/// Every step is in the log.
async fn step_log(app: &TestApp, w: &mut Walk) {
    let view = w.view.clone();
    let s = app.db.store.as_ref();
    // Every step is in the log.
    let actions: Vec<String> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "declare",
            "township_return",
            "declare",
            "township_approve",
            "county_approve",
            "record"
        ]
    );
    for table in [
        "project_events",
        "project_versions",
        "project_objections",
        "responsibilities",
    ] {
        for row in view[match table {
            "project_events" => "events",
            "project_versions" => "versions",
            "project_objections" => "objections",
            _ => "responsibilities",
        }]
        .as_array()
        .unwrap()
        {
            let leaves = s
                .log_leaves_of(table, row["id"].as_i64().unwrap())
                .await
                .unwrap();
            assert!(
                !leaves.is_empty(),
                "{table}/{} is not in the log",
                row["id"]
            );
        }
    }
}

/// Exports carry it; another county's officials see none of it.
async fn step_exports(app: &TestApp, w: &mut Walk) {
    let bureau = w.bureau.clone();
    let id = w.id;
    // Exports carry it; another county's officials see none of it.
    let csv = bureau
        .get(app.url("/api/v1/projects.csv?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("光伏扶贫电站") && csv.contains("已报市级备案"));
    let xlsx = bureau
        .get(app.url("/api/v1/responsibilities.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let other = app.signed_in("shimen.finance").await;
    json_of(
        other
            .get(app.url(&format!("/api/v1/projects/{id}")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let list = json_of(
        other
            .get(app.url("/api/v1/projects?q=光伏扶贫电站"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(list["total"], 0);
    assert_eq!(
        other
            .get(app.url(&format!("/projects/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
crate::both_app!(declaration_path_on_the_web, declaration_on_the_web);
