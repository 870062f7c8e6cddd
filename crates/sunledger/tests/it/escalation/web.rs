//! The whole ladder through the real server.
use super::*;
use serde_json::json;
use sunledger_store::Project;

/// What the steps after the first three share: the signed-in clients, the project, the problem
/// the ladder climbs and the fund paying the project.
struct Walk {
    inspector: reqwest::Client,
    township: reqwest::Client,
    finance: reqwest::Client,
    project: Project,
    pid: i64,
    fund_id: i64,
}

async fn ladder_on_the_web(app: TestApp) {
    let inspector = app.signed_in("yunling.discipline").await;
    let (ins, project, deadline, pid) = step_findings(&app, &inspector).await;
    let township = step_township_sees(&app, ins, deadline, pid).await;
    let (finance, fund_id) = step_fund(&app, &project).await;
    let mut w = Walk {
        inspector,
        township,
        finance,
        project,
        pid,
        fund_id,
    };
    step_reminder(&app, &mut w).await;
    step_interview(&app, &mut w).await;
    step_suspension(&app, &mut w).await;
    step_rectified(&app, &mut w).await;
    step_exports(&app, &mut w).await;
    step_spot_check(&app, &mut w).await;
    step_coverage(&app).await;
}

/// An inspection with three findings for the township government.
async fn step_findings(
    app: &TestApp,
    inspector: &reqwest::Client,
) -> (serde_json::Value, Project, String, i64) {
    let s = app.db.store.as_ref();
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    // An inspection with three findings for the township government.
    let ins = json_of(
        inspector
            .post(app.url("/api/v1/inspections"))
            .json(&json!({
                "region": K, "kind": "routine", "title": "第四季度扶贫项目资金监督检查",
                "team": "县纪委 李静（组长）；县扶贫移民局；县财政局",
                "lead_departments": ["discipline_commission", "poverty_bureau", "finance_bureau"],
                "targets": format!("region:{T}"), "planned_on": fmt(today(app)),
                "done_on": fmt(today(app)), "findings": "发现问题三个，详见问题整改台账"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert!(ins["done_on"].is_string());
    let town_dept = s
        .departments_in(&rc(T))
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "government")
        .expect("the township government")
        .id;
    let project = s
        .create_project(
            &sunledger_store::NewProject {
                region: rc(VILLAGE),
                name: "村组道路硬化".into(),
                fiscal_year: FiscalYear::new(2026).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    let deadline = fmt(today(app) + 20);
    let mut ids = Vec::new();
    for (i, (title, category)) in [
        ("项目资金滞留", "fund_management"),
        ("公示不到位", "cadre_style"),
        ("受益户信息不全", "targeting"),
    ]
    .iter()
    .enumerate()
    {
        let p = json_of(
            inspector
                .post(app.url("/api/v1/problems"))
                .json(&json!({
                    "region": T, "inspection_id": ins["id"], "project_id": if i == 0 { Some(project.id) } else { None },
                    "category": category, "severity": "serious",
                    "title": title, "description": "检查发现", "department_id": town_dept,
                    "amount": if i == 0 { "120000.00" } else { "" }, "deadline": deadline}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        ids.push(p["id"].as_i64().unwrap());
    }
    let pid = ids[0];
    (ins, project, deadline, pid)
}

/// The township sees its deadlines; another county sees nothing.
async fn step_township_sees(
    app: &TestApp,
    ins: serde_json::Value,
    deadline: String,
    pid: i64,
) -> reqwest::Client {
    // The township sees its deadlines; another county sees nothing.
    let township = app.signed_in("yunling.township").await;
    let ledger = json_of(
        township
            .get(app.url(&format!("/api/v1/problems?open=1&inspection={}", ins["id"])))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(ledger["total"], 3);
    assert!(
        ledger["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["deadline"] == deadline.as_str())
    );
    let other = app.signed_in("shimen.finance").await;
    json_of(
        other
            .get(app.url(&format!("/api/v1/problems/{pid}")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    township
}

/// Money arranged to the project, for the suspension to bite.
async fn step_fund(app: &TestApp, project: &Project) -> (reqwest::Client, i64) {
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    // Money arranged to the project, for the suspension to bite.
    let finance = app.signed_in("yunling.finance").await;
    let fund = json_of(
        finance
            .post(app.url("/api/v1/funds"))
            .json(&json!({"client_id": "lad-f", "region": VILLAGE, "source": "county_budget", "fiscal_year": 2026,
                "document_no": "云财〔2026〕30号", "name": "村级衔接资金", "amount": "500000.00", "booked_on": fmt(today(app))}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let fund_id = fund["fund"]["id"].as_i64().unwrap();
    let transfer = |client: &str, kind: &str| {
        let mut b = json!({"client_id": client, "fund_id": fund_id, "kind": kind,
            "amount": if kind == "arrange" { "100000.00" } else { "10000.00" },
            "booked_on": fmt(today(app)), "document_no": "x", "purpose": "工程款"});
        if kind == "arrange" {
            b["from"] = json!({"region": VILLAGE});
            b["to"] = json!({"project": project.id});
        } else {
            b["from"] = json!({"project": project.id});
            b["payee"] = json!("某建筑公司");
        }
        b
    };
    json_of(
        finance
            .post(app.url("/api/v1/transfers"))
            .json(&transfer("lad-a", "arrange"))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    (finance, fund_id)
}

/// Overdue by a week: a reminder letter is proposed and confirmed; others may not escalate.
async fn step_reminder(app: &TestApp, w: &mut Walk) {
    let s = app.db.store.as_ref();
    let township = w.township.clone();
    let Walk { pid, .. } = *w;
    // Overdue by a week: the daily job proposes a reminder letter; the inspector confirms it.
    app.clock.advance_days(27);
    let now_t = sunledger_web::Clock::now(&*app.clock);
    let made = s
        .propose_escalations(
            &[rc(K)],
            &sunledger_core::escalation::default_rules(),
            now_t,
        )
        .await
        .unwrap();
    let proposal = made
        .iter()
        .find(|p| p.problem_id == pid)
        .expect("a reminder is proposed");
    assert_eq!(proposal.step, "reminder_letter");
    let inspector = app.signed_in("yunling.discipline").await;
    let view = json_of(
        inspector
            .get(app.url(&format!("/api/v1/problems/{pid}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(view["due"], json!(["reminder_letter"]));
    assert_eq!(view["overdue_days"], 7);
    let step = |c: &reqwest::Client, body: serde_json::Value| {
        c.post(app.url(&format!("/api/v1/problems/{pid}/escalations")))
            .json(&body)
            .send()
    };
    let letter = |kind: &str, doc: &str| {
        json!({"step": kind, "document_no": doc, "issuing_unit": "中共云岭县纪律检查委员会",
        "content": "请于收函后十日内完成整改并书面报告。", "responsible_person": "金坪镇镇长"})
    };
    let mut reminder = letter("reminder_letter", "云纪提〔2026〕8号");
    reminder["proposal_id"] = json!(proposal.id);
    json_of(step(&inspector, reminder).await.unwrap(), 201).await;
    // The township may not escalate, and finance may not write letters.
    json_of(
        step(&township, letter("supervision_letter", "x1"))
            .await
            .unwrap(),
        401,
    )
    .await;
    let township = app.signed_in("yunling.township").await;
    json_of(
        step(&township, letter("supervision_letter", "x1"))
            .await
            .unwrap(),
        403,
    )
    .await;
    w.inspector = inspector;
    w.township = township;
}

/// Letters, then a warning interview with a new deadline; still unfixed after it.
async fn step_interview(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let Walk { pid, .. } = *w;
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    let step = |c: &reqwest::Client, body: serde_json::Value| {
        c.post(app.url(&format!("/api/v1/problems/{pid}/escalations")))
            .json(&body)
            .send()
    };
    let letter = |kind: &str, doc: &str| {
        json!({"step": kind, "document_no": doc, "issuing_unit": "中共云岭县纪律检查委员会",
        "content": "请于收函后十日内完成整改并书面报告。", "responsible_person": "金坪镇镇长"})
    };
    // Letters, then a warning interview with a new deadline; still unfixed after it.
    json_of(
        step(
            &inspector,
            letter("supervision_letter", "云纪督〔2026〕8号"),
        )
        .await
        .unwrap(),
        201,
    )
    .await;
    let mut interview = letter("warning_interview", "云纪谈〔2026〕8号");
    interview["attendees"] = json!("金坪镇镇长、分管副镇长、财政所所长");
    interview["new_deadline"] = json!(fmt(today(app) + 7));
    json_of(step(&inspector, interview).await.unwrap(), 201).await;
    app.clock.advance_days(8);
    let inspector = app.signed_in("yunling.discipline").await;
    let finance = app.signed_in("yunling.finance").await;
    let view = json_of(
        inspector
            .get(app.url(&format!("/api/v1/problems/{pid}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        view["due"]
            .as_array()
            .unwrap()
            .contains(&json!("suspend_payment")),
        "{view}"
    );
    w.inspector = inspector;
    w.finance = finance;
}

/// Suspension is finance's step; it stops the payment.
async fn step_suspension(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let finance = w.finance.clone();
    let Walk { pid, fund_id, .. } = *w;
    let project = &w.project;
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    let transfer = |client: &str, kind: &str| {
        let mut b = json!({"client_id": client, "fund_id": fund_id, "kind": kind,
            "amount": if kind == "arrange" { "100000.00" } else { "10000.00" },
            "booked_on": fmt(today(app)), "document_no": "x", "purpose": "工程款"});
        if kind == "arrange" {
            b["from"] = json!({"region": VILLAGE});
            b["to"] = json!({"project": project.id});
        } else {
            b["from"] = json!({"project": project.id});
            b["payee"] = json!("某建筑公司");
        }
        b
    };
    let step = |c: &reqwest::Client, body: serde_json::Value| {
        c.post(app.url(&format!("/api/v1/problems/{pid}/escalations")))
            .json(&body)
            .send()
    };
    let letter = |kind: &str, doc: &str| {
        json!({"step": kind, "document_no": doc, "issuing_unit": "中共云岭县纪律检查委员会",
        "content": "请于收函后十日内完成整改并书面报告。", "responsible_person": "金坪镇镇长"})
    };
    // Suspension is finance's step; it stops the payment.
    json_of(
        step(&inspector, letter("suspend_payment", "云财暂〔2026〕8号"))
            .await
            .unwrap(),
        403,
    )
    .await;
    let susp = json_of(
        step(&finance, letter("suspend_payment", "云财暂〔2026〕8号"))
            .await
            .unwrap(),
        201,
    )
    .await;
    assert!(susp["suspension_id"].is_i64());
    let r = finance
        .post(app.url("/api/v1/transfers"))
        .json(&transfer("lad-d1", "disburse"))
        .send()
        .await
        .unwrap();
    let e = json_of(r, 409).await;
    assert_eq!(e["error"]["code"], "suspended", "{e}");
}

/// Rectified and verified: payment resumes.
async fn step_rectified(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let finance = w.finance.clone();
    let Walk { pid, fund_id, .. } = *w;
    let project = &w.project;
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    let transfer = |client: &str, kind: &str| {
        let mut b = json!({"client_id": client, "fund_id": fund_id, "kind": kind,
            "amount": if kind == "arrange" { "100000.00" } else { "10000.00" },
            "booked_on": fmt(today(app)), "document_no": "x", "purpose": "工程款"});
        if kind == "arrange" {
            b["from"] = json!({"region": VILLAGE});
            b["to"] = json!({"project": project.id});
        } else {
            b["from"] = json!({"project": project.id});
            b["payee"] = json!("某建筑公司");
        }
        b
    };
    // Rectified and verified: payment resumes.
    let township = app.signed_in("yunling.township").await;
    let act = |c: &reqwest::Client, action: &str, text: &str| {
        c.post(app.url(&format!("/api/v1/problems/{pid}/actions")))
            .json(&json!({"action": action, "text": text}))
            .send()
    };
    json_of(
        act(&township, "submit", "资金已全部拨付到位，附银行回单")
            .await
            .unwrap(),
        200,
    )
    .await;
    json_of(act(&township, "verify", "x").await.unwrap(), 403).await;
    let p = json_of(
        act(&inspector, "verify", "经核实已整改到位").await.unwrap(),
        200,
    )
    .await;
    assert_eq!(p["state"], "closed");
    json_of(
        finance
            .post(app.url("/api/v1/transfers"))
            .json(&transfer("lad-d2", "disburse"))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
}

/// Exports of Book 3 and of the inspection record.
async fn step_exports(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    // Exports of Book 3 and of the inspection record.
    let csv = inspector
        .get(app.url("/api/v1/problems.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("项目资金滞留") && csv.contains("已销号"));
    let xlsx = inspector
        .get(app.url("/api/v1/inspections.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

/// The spot-check sample of a seed is the same in another round.
async fn step_spot_check(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    // The spot-check sample of a seed is the same in another round (and on any machine).
    let city = app.signed_in("city.bureau").await;
    let draw = |round: &str| {
        city.post(app.url("/api/v1/spot-draws"))
            .json(&json!({"region": "5291", "round": round, "seed": "2026-12-01 公开摇号 0457"}))
            .send()
    };
    // (The demo drew this month's round already.)
    let a = json_of(draw("2026-12-a").await.unwrap(), 201).await;
    let b = json_of(draw("2026-12-b").await.unwrap(), 201).await;
    assert_eq!(a["sample"], b["sample"]);
    // A round is drawn once; a redraw names its reason and the first draw stays.
    let again = json_of(draw("2026-12-a").await.unwrap(), 422).await;
    assert_eq!(again["error"]["field"], "round", "{again}");
    let redraw = json_of(
        city.post(app.url("/api/v1/spot-draws"))
            .json(
                &json!({"region": "5291", "round": "2026-12-a", "seed": "2026-12-02 公开摇号 0458",
                "replace_reason": "抽样前户籍名册漏录两个村，补录后重抽"}),
            )
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_eq!(redraw["replaces"], a["id"]);
    // Anyone can read the draws and the population each drew from: numbers, no names.
    let public = app.client();
    let page = public.get(app.url("/spot-checks")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("2026-12-02 公开摇号 0458") && html.contains("补录后重抽"));
    let population = public
        .get(app.url(&format!("/spot-checks/{}/population.txt", redraw["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(population.status(), 200);
    let text = population.text().await.unwrap();
    let first = redraw["sample"][0]["village"].as_str().unwrap().to_string();
    assert!(text.lines().any(|l| l.contains(&first)), "{text}");
    assert!(
        text.chars()
            .all(|c| c.is_ascii_digit() || " |\n".contains(c)),
        "numbers only, no names"
    );
    json_of(
        inspector
            .post(app.url("/api/v1/spot-draws"))
            .json(&json!({"region": "5291", "round": "r", "seed": "s"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
}

/// Coverage across the year boundary: 2027Q1 runs, 2026Q4 had the inspection.
async fn step_coverage(app: &TestApp) {
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    // Coverage across the year boundary: 2027Q1 runs, 2026Q4 had the inspection.
    let days_to_new_year = sunledger_core::day::parse("d", "2027-01-15").unwrap() - today(app);
    app.clock.advance_days(days_to_new_year);
    let city = app.signed_in("city.bureau").await;
    let cov = json_of(
        city.get(app.url("/api/v1/coverage")).send().await.unwrap(),
        200,
    )
    .await;
    let yl = cov
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["county"] == K)
        .expect("云岭县 in the coverage");
    assert_eq!(yl["quarters"][0]["quarter"], json!({"year": 2027, "q": 1}));
    assert_eq!(yl["quarters"][0]["current"], true);
    assert_eq!(yl["quarters"][1]["quarter"], json!({"year": 2026, "q": 4}));
    assert!(yl["quarters"][1]["inspections"].as_u64().unwrap() >= 1);
    assert_eq!(yl["quarters"][1]["behind"], false);
    assert_eq!(
        cov.as_array().unwrap().len(),
        7,
        "the city sees its seven counties"
    );
}
crate::both_app!(the_ladder_on_the_web, ladder_on_the_web);
