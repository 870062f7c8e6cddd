//! Issue 15, part 3: lengths and dates are checked, every refusal names its field and books
//! nothing; a day before the plan or a deadline already past goes through with a reason; the
//! coverage table filtered to a township shows its county's quarters; referred problems leave the
//! ladder's proposals. Through the real server, on both backends.
use crate::support::*;
use serde_json::{Value, json};

const K: &str = "529121";
const T: &str = "529121100";

fn today(app: &TestApp) -> i64 {
    sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock))
}

fn day(d: i64) -> String {
    sunledger_core::day::format(d)
}

/// Posts `body` and returns the status and the JSON answer.
async fn post(c: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let r = c.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn fund(client_id: &str, name: &str, document_no: &str, booked_on: &str) -> Value {
    json!({"client_id": client_id, "region": K, "source": "county_budget", "fiscal_year": 2026,
        "document_no": document_no, "name": name, "amount": "1000.00", "booked_on": booked_on})
}

async fn town_dept(app: &TestApp) -> i64 {
    app.db
        .store
        .departments_in(&rc(T))
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "government")
        .expect("the township government")
        .id
}

async fn refusals_name_the_field(app: TestApp) {
    let finance = app.signed_in("yunling.finance").await;
    let inspector = app.signed_in("yunling.discipline").await;
    let t = today(&app);
    let (yesterday, tomorrow) = (day(t - 1), day(t + 1));
    // What the refusals are tried against: a fund and one appropriation of it.
    let (s, f) = post(
        &finance,
        app.url("/api/v1/funds"),
        &fund("bounds-ok", "县级衔接资金", "云财〔2026〕1号", &yesterday),
    )
    .await;
    assert_eq!(s, 201, "{f}");
    let fund_id = f["fund"]["id"]
        .as_i64()
        .or(f["id"].as_i64())
        .expect("fund id");
    let transfer = |purpose: String, booked_on: &str, document_no: String| {
        json!({"client_id": format!("bounds-t-{}-{booked_on}", purpose.len() + document_no.len()),
            "fund_id": fund_id, "kind": "appropriate", "from": {"region": K}, "to": {"region": T},
            "amount": "10.00", "booked_on": booked_on, "document_no": document_no, "purpose": purpose})
    };
    let (s, a) = post(
        &finance,
        app.url("/api/v1/transfers"),
        &transfer("下拨".into(), &yesterday, "云财〔2026〕2号".into()),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let appropriation = a["id"].as_i64().expect("transfer id");
    let dept = town_dept(&app).await;
    let inspection = |planned: &str, done: Option<&str>, findings: Option<&str>| {
        json!({"region": K, "kind": "routine", "title": "季度检查", "team": "县纪委",
            "lead_departments": ["discipline_commission"], "planned_on": planned,
            "done_on": done, "findings": findings})
    };
    let problem = |deadline: &str| {
        json!({"region": T, "category": "fund_management", "severity": "general", "title": "资金滞留",
            "description": "检查发现", "department_id": dept, "deadline": deadline})
    };
    let long = |n: usize| "字".repeat(n);
    let cases: Vec<(&str, &reqwest::Client, String, Value, &str)> = vec![
        (
            "a 5,000-character fund name",
            &finance,
            "/api/v1/funds".into(),
            fund("bounds-1", &long(5000), "云财〔2026〕3号", &yesterday),
            "name",
        ),
        (
            "a 3,000-character document number",
            &finance,
            "/api/v1/funds".into(),
            fund("bounds-2", "资金", &long(3000), &yesterday),
            "document_no",
        ),
        (
            "a fund booked in 2099",
            &finance,
            "/api/v1/funds".into(),
            fund("bounds-3", "资金", "云财〔2026〕4号", "2099-01-01"),
            "booked_on",
        ),
        (
            "a fund booked tomorrow",
            &finance,
            "/api/v1/funds".into(),
            fund("bounds-4", "资金", "云财〔2026〕5号", &tomorrow),
            "booked_on",
        ),
        (
            "a transfer's long purpose",
            &finance,
            "/api/v1/transfers".into(),
            transfer(long(501), &yesterday, "云财〔2026〕6号".into()),
            "purpose",
        ),
        (
            "a transfer's long document number",
            &finance,
            "/api/v1/transfers".into(),
            transfer("下拨".into(), &yesterday, long(101)),
            "document_no",
        ),
        (
            "a transfer booked tomorrow",
            &finance,
            "/api/v1/transfers".into(),
            transfer("下拨".into(), &tomorrow, "云财〔2026〕7号".into()),
            "booked_on",
        ),
        (
            "a receipt confirmed tomorrow",
            &finance,
            format!("/api/v1/transfers/{appropriation}/receipt"),
            json!({"on": tomorrow}),
            "on",
        ),
        (
            "a suspension's long reason",
            &finance,
            "/api/v1/suspensions".into(),
            json!({"target_kind": "region", "target": T, "reason": long(1001), "document_no": "云财〔2026〕8号"}),
            "reason",
        ),
        (
            "a suspension's long document number",
            &finance,
            "/api/v1/suspensions".into(),
            json!({"target_kind": "region", "target": T, "reason": "挪用", "document_no": long(101)}),
            "document_no",
        ),
        (
            "an inspection done tomorrow",
            &inspector,
            "/api/v1/inspections".into(),
            inspection(&yesterday, Some(&tomorrow), Some("无")),
            "done_on",
        ),
        (
            "an inspection done before its planned day, without a reason",
            &inspector,
            "/api/v1/inspections".into(),
            inspection(&day(t - 1), Some(&day(t - 60)), Some("无")),
            "done_on",
        ),
        (
            "a completion day without findings",
            &inspector,
            "/api/v1/inspections".into(),
            inspection(&yesterday, Some(&yesterday), None),
            "findings",
        ),
        (
            "a deadline 700 days past, without a reason",
            &inspector,
            "/api/v1/problems".into(),
            problem(&day(t - 700)),
            "deadline",
        ),
    ];
    for (what, client, path, body, field) in cases {
        let before = app.db.store.log_size().await.unwrap();
        let (status, answer) = post(client, app.url(&format!("{path}?lang=en")), &body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{what}: {answer}");
        assert_eq!(
            app.db.store.log_size().await.unwrap(),
            before,
            "{what}: nothing is booked"
        );
    }
    // A length refusal names the bound, in both languages.
    let (_, en) = post(
        &finance,
        app.url("/api/v1/funds?lang=en"),
        &fund("bounds-1", &long(5000), "x", &yesterday),
    )
    .await;
    let msg = en["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("at most 200 characters (5000 given)"), "{msg}");
    let (_, zh) = post(
        &finance,
        app.url("/api/v1/funds?lang=zh-CN"),
        &fund("bounds-1", &long(5000), "x", &yesterday),
    )
    .await;
    let msg = zh["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("最多 200 个字符") && msg.contains("5000"),
        "{msg}"
    );

    // With a reason, an early completion and a deadline already past go through, and keep it.
    let (s, ins) = post(
        &inspector,
        app.url("/api/v1/inspections"),
        &json!({"region": K, "kind": "routine", "title": "季度检查", "team": "县纪委",
            "lead_departments": ["discipline_commission"], "planned_on": day(t - 1),
            "done_on": day(t - 60), "findings": "无", "done_reason": "与省检查组合并，提前进行"}),
    )
    .await;
    assert_eq!(s, 201, "{ins}");
    assert_eq!(ins["done_reason"], "与省检查组合并，提前进行");
    let mut late = problem(&day(t - 700));
    late["deadline_reason"] = json!("据 2024 年审计报告补录");
    let (s, p) = post(&inspector, app.url("/api/v1/problems"), &late).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["deadline_reason"], "据 2024 年审计报告补录");
    // A planned inspection is done later through its own form: the same rules.
    let (s, planned) = post(
        &inspector,
        app.url("/api/v1/inspections"),
        &inspection(&day(t + 30), None, None),
    )
    .await;
    assert_eq!(s, 201, "{planned}");
    let done = app.url(&format!("/api/v1/inspections/{}/done", planned["id"]));
    let (s, e) = post(
        &inspector,
        done.clone(),
        &json!({"done_on": yesterday, "findings": "无"}),
    )
    .await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("done_on")), "{e}");
    let (s, e) = post(
        &inspector,
        done,
        &json!({"done_on": yesterday, "findings": "无", "done_reason": "提前"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["done_reason"], "提前");
}
crate::both_app!(
    lengths_and_dates_are_refused_by_field,
    refusals_name_the_field
);

/// The coverage filtered to a township shows its county's quarters, not zeros.
async fn township_coverage(app: TestApp) {
    let c = app.signed_in("yunling.discipline").await;
    let get = |region: &str| {
        let url = app.url(&format!("/api/v1/coverage?region={region}"));
        let c = c.clone();
        async move { json_of(c.get(url).send().await.unwrap(), 200).await }
    };
    let county = get(K).await;
    let township = get(T).await;
    let rows = township.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{township}");
    assert_eq!(rows[0]["county"], K);
    let covered = |v: &Value| {
        v["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["inspections"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(
        covered(&county[0]).iter().any(|n| *n > 0),
        "the demo inspects 云岭县: {county}"
    );
    assert_eq!(covered(&rows[0]), covered(&county[0]));
}
crate::both_app!(coverage_of_a_township, township_coverage);

/// Once a problem is referred, the ladder proposes nothing more and its undecided proposals are
/// no longer listed.
async fn referred_problems_leave_the_ladder(app: TestApp) {
    let inspector = app.signed_in("yunling.discipline").await;
    let t = today(&app);
    let dept = town_dept(&app).await;
    let (s, p) = post(
        &inspector,
        app.url("/api/v1/problems"),
        &json!({"region": T, "category": "corruption", "severity": "serious", "title": "虚报冒领",
            "description": "检查发现", "department_id": dept, "deadline": day(t - 40),
            "deadline_reason": "据上季度检查报告补录"}),
    )
    .await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let rules = sunledger_core::escalation::default_rules();
    let now = sunledger_web::Clock::now(&*app.clock);
    let made = app
        .db
        .store
        .propose_escalations(&[rc(K)], &rules, now)
        .await
        .unwrap();
    assert!(
        made.iter().any(|x| x.problem_id == pid),
        "overdue: proposed"
    );
    let listed = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .any(|x| x["problem"]["id"] == json!(pid))
    };
    let open = json_of(
        inspector
            .get(app.url("/api/v1/proposals"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(listed(&open), "{open}");
    let (s, e) = post(
        &inspector,
        app.url(&format!("/api/v1/problems/{pid}/escalations")),
        &json!({"step": "discipline_referral", "document_no": "云纪〔2026〕9号", "issuing_unit": "县纪委监委",
            "content": "移送审查", "responsible_person": "李静"}),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    let made = app
        .db
        .store
        .propose_escalations(&[rc(K)], &rules, now + 40 * 86_400)
        .await
        .unwrap();
    assert!(
        made.iter().all(|x| x.problem_id != pid),
        "nothing more proposed: {made:?}"
    );
    let open = json_of(
        inspector
            .get(app.url("/api/v1/proposals"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(!listed(&open), "{open}");
}
crate::both_app!(referral_ends_proposals, referred_problems_leave_the_ladder);
