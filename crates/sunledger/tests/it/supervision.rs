//! Supervision through the store, on both backends: households and a seeded spot-check draw that
//! anyone can re-derive, an inspection with three findings, Book 3's lifecycle, the escalation
//! ladder proposed by the rules and confirmed step by step up to a suspension that really stops a
//! payment, verification that resumes it, and the log over every new table.
use crate::both;
use crate::support::*;
use std::collections::HashSet;
use sunledger_core::department::Position;
use sunledger_core::ledger::{FiscalYear, FundSource, TransferKind};
use sunledger_core::money::Money;
use sunledger_core::supervision::{
    self as sv, ProblemAction, ProblemCategory, SampleRules, Severity, Step,
};
use sunledger_core::{DepartmentKind, IdNumber, RegionCode};
use sunledger_store::{
    NewDepartment, NewEscalation, NewFund, NewHousehold, NewInspection, NewPerson, NewProblem,
    NewTransfer, Owner, ProblemFilter, Store, StoreError,
};

const CITY: &str = "5291";
const K: &str = "529121";
const K2: &str = "529122";
const T: &str = "529121100";
const DAY: i64 = 86_400;

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A valid resident ID number from a serial.
pub fn id_number(n: u64) -> IdNumber {
    let first17 = format!("5329011980{:07}", n % 10_000_000);
    let c = IdNumber::check_char(&first17).unwrap();
    IdNumber::parse(&format!("{first17}{c}")).unwrap()
}

/// The demo's regions of two counties (three villages each) and their households.
async fn setup(store: &dyn Store) -> Vec<RegionCode> {
    let all = sunledger::demo::regions().unwrap();
    let mut want = HashSet::new();
    let mut villages = Vec::new();
    for county in [K, K2] {
        let vs: Vec<RegionCode> = all
            .iter()
            .map(|r| r.code)
            .filter(|c| c.level() == sunledger_core::Level::Village && c.county_code() == county)
            .take(3)
            .collect();
        for v in &vs {
            want.extend(v.lineage());
        }
        villages.extend(vs);
    }
    want.extend(rc(T).lineage());
    let rows: Vec<_> = all.into_iter().filter(|r| want.contains(&r.code)).collect();
    store.upsert_regions(&rows, now()).await.unwrap();
    let mut hs = Vec::new();
    let mut n = 0;
    for v in &villages {
        for i in 0..30 {
            n += 1;
            hs.push(NewHousehold {
                village: *v,
                head_name: format!("户主{n}"),
                id_number: id_number(n),
                poor: i < 22,
                size: 1 + (n % 6) as i64,
            });
        }
    }
    assert_eq!(
        store.create_households(&hs, now()).await.unwrap(),
        hs.len() as u64
    );
    villages
}

async fn dept(store: &dyn Store, region: &str, kind: DepartmentKind, name: &str) -> (i64, i64) {
    let d = store
        .create_department(
            &NewDepartment {
                region: rc(region),
                kind,
                name: name.into(),
                credit_code: None,
                stationed_by: None,
            },
            now(),
        )
        .await
        .unwrap();
    let p = store
        .create_person(
            &NewPerson {
                department_id: d.id,
                name: format!("{name}负责人"),
                position: Position::Head,
                phone: None,
            },
            now(),
        )
        .await
        .unwrap();
    (d.id, p.id)
}

fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

async fn story(db: TestDb) {
    let s = db.store.as_ref();
    let villages = setup(s).await;
    let t0 = now() - 120 * DAY;

    // A bad household row names its index and books nothing.
    let bad = vec![
        NewHousehold {
            village: villages[0],
            head_name: "甲".into(),
            id_number: id_number(900_001),
            poor: true,
            size: 3,
        },
        NewHousehold {
            village: villages[0],
            head_name: "乙".into(),
            id_number: id_number(1), // already registered
            poor: true,
            size: 3,
        },
    ];
    assert!(matches!(
        s.create_households(&bad, t0).await,
        Err(StoreError::Batch { index: 1, .. })
    ));
    assert_eq!(s.households_in(&villages[0]).await.unwrap().len(), 30);

    // The spot-check draw: two villages a county, 20 poor and 5 non-poor each.
    let rules = SampleRules::default();
    let d1 = s
        .create_draw(&rc(CITY), "2026-08", "青山2026-08", &rules, None, t0)
        .await
        .unwrap();
    assert_eq!(d1.sample.len(), 4);
    for v in &d1.sample {
        assert_eq!((v.poor.len(), v.non_poor.len()), (20, 5), "{v:?}");
    }
    // Anyone can re-derive it from the seed, the rules and the register.
    let mut counties: Vec<(String, Vec<sv::VillagePopulation>)> = Vec::new();
    for county in [K, K2] {
        let mut vs = Vec::new();
        for v in villages.iter().filter(|v| v.county_code() == county) {
            vs.push(sv::VillagePopulation {
                village: v.as_str().to_string(),
                households: s
                    .households_in(v)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|h| (h.id.to_string(), h.poor))
                    .collect(),
            });
        }
        counties.push((county.to_string(), vs));
    }
    assert_eq!(sv::draw("青山2026-08", &rules, &counties, &[]), d1.sample);
    // A second draw in the same round takes no household twice.
    let d2 = s
        .create_draw(&rc(CITY), "2026-08", "青山2026-08b", &rules, None, t0)
        .await
        .unwrap();
    let first: HashSet<&String> = d1
        .sample
        .iter()
        .flat_map(|v| v.poor.iter().chain(&v.non_poor))
        .collect();
    assert!(
        d2.sample
            .iter()
            .flat_map(|v| v.poor.iter().chain(&v.non_poor))
            .all(|h| !first.contains(h))
    );
    assert!(
        s.draws(&[rc(K)]).await.unwrap().is_empty(),
        "draws are the city's"
    );

    // A county inspection with three findings for the township.
    let (town_dept, town_person) = dept(s, T, DepartmentKind::Government, "金坪镇人民政府").await;
    let ins = s
        .create_inspection(
            &NewInspection {
                region: rc(K),
                kind: "routine".into(),
                title: "2026年第三季度扶贫项目资金监督检查".into(),
                team: "县纪委 李静（组长）；县扶贫移民局 刘洋；县财政局 张芳".into(),
                lead_departments: vec![
                    DepartmentKind::DisciplineCommission,
                    DepartmentKind::PovertyBureau,
                    DepartmentKind::FinanceBureau,
                ],
                targets: format!("region:{T};household:1"),
                planned_on: "2026-08-01".into(),
                draw_id: None,
            },
            None,
            t0,
        )
        .await
        .unwrap();
    let e = s
        .complete_inspection(ins.id, "2999-01-01", "x", None, t0)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "in_future");
    let today0 = sunledger_core::day::format(sunledger_core::day::today(t0));
    s.complete_inspection(ins.id, &today0, "发现问题三个", None, t0)
        .await
        .unwrap();
    assert!(matches!(
        s.complete_inspection(ins.id, &today0, "again", None, t0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let project = s
        .create_library_project(
            &crate::projects::content(villages[0].as_str(), "受检项目"),
            false,
            None,
            t0,
        )
        .await
        .unwrap();
    let deadline = sunledger_core::day::format(sunledger_core::day::today(t0) + 30);
    let mut ids = Vec::new();
    for (i, (cat, title)) in [
        (ProblemCategory::FundManagement, "项目资金滞留未拨付"),
        (ProblemCategory::Targeting, "受益户识别不精准"),
        (ProblemCategory::CadreStyle, "公示不到位"),
    ]
    .into_iter()
    .enumerate()
    {
        let p = s
            .create_problem(
                &NewProblem {
                    region: rc(T),
                    inspection_id: Some(ins.id),
                    project_id: (i == 0).then_some(project.id),
                    review_of: None,
                    category: cat,
                    severity: Severity::Serious,
                    title: title.into(),
                    description: "检查发现".into(),
                    department_id: town_dept,
                    person_id: Some(town_person),
                    amount: Money::from_fen(if i == 0 { 12_000_000 } else { 0 }),
                    deadline: deadline.clone(),
                },
                None,
                t0,
            )
            .await
            .unwrap();
        assert_eq!(
            (p.state.as_str(), p.deadline.as_str()),
            ("open", deadline.as_str())
        );
        ids.push(p.id);
    }
    // The township sees its open problems, earliest deadline first.
    let (mine, n) = s
        .problems(
            &ProblemFilter {
                scopes: vec![rc(T)],
                open_only: true,
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert_eq!((n, mine.len()), (3, 3));
    let (none, _) = s
        .problems(
            &ProblemFilter {
                scopes: vec![rc(K2)],
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    // Money for the project, to see the suspension bite.
    let (fund, _) = s
        .create_fund(
            &NewFund {
                client_id: "sv-f".into(),
                region: villages[0],
                source: FundSource::CountyBudget,
                fiscal_year: FiscalYear::new(2026).unwrap(),
                document_no: "云财〔2026〕9号".into(),
                name: "县级衔接资金".into(),
                detention_days: 30,
                amount: Money::from_fen(50_000_000),
                booked_on: "2026-03-02".into(),
                actor: None,
            },
            t0,
        )
        .await
        .unwrap();
    let tr = |client: &str, kind, from: Option<Owner>, to: Option<Owner>, payee: Option<&str>| {
        NewTransfer {
            client_id: client.into(),
            fund_id: fund.id,
            kind,
            from,
            to,
            payee: payee.map(str::to_string),
            amount: Money::from_fen(1_000_000),
            booked_on: "2026-03-03".into(),
            document_no: "x".into(),
            purpose: "工程款".into(),
            actor: None,
            reverses: None,
        }
    };
    s.book_transfer(
        &tr(
            "sv-a",
            TransferKind::Arrange,
            Some(Owner::Region(villages[0])),
            Some(Owner::Project(project.id)),
            None,
        ),
        t0,
    )
    .await
    .unwrap();

    // The ladder: nothing is due before the deadline; 7 days after it a reminder letter is.
    let p0 = ids[0];
    let rules = sv::default_rules();
    let due = |t: i64| async move {
        s.due_escalations(&[rc(K)], &sv::default_rules(), t)
            .await
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.id == p0)
            .map(|(_, steps)| steps)
            .unwrap_or_default()
    };
    assert!(due(t0 + 36 * DAY).await.is_empty());
    assert_eq!(due(t0 + 37 * DAY).await, vec![Step::ReminderLetter]);
    let proposals = s
        .propose_escalations(&[rc(K)], &rules, t0 + 37 * DAY)
        .await
        .unwrap();
    assert_eq!(proposals.iter().filter(|p| p.problem_id == p0).count(), 1);
    assert!(
        s.propose_escalations(&[rc(K)], &rules, t0 + 37 * DAY)
            .await
            .unwrap()
            .is_empty(),
        "proposed once"
    );
    let prop = proposals.iter().find(|p| p.problem_id == p0).unwrap();
    let letter = |step: Step, doc: &str| NewEscalation {
        problem_id: p0,
        step: step.key().into(),
        document_no: doc.into(),
        issuing_unit: "中共云岭县纪律检查委员会".into(),
        content: "请于期限内完成整改并书面报告。".into(),
        responsible_person: "金坪镇人民政府负责人".into(),
        ..Default::default()
    };
    // Skipping the ladder is refused.
    let e = s
        .escalate(
            &letter(Step::SuspendPayment, "云纪暂〔2026〕1号"),
            None,
            t0 + 37 * DAY,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "skips_the_ladder");
    let esc = s
        .escalate(
            &NewEscalation {
                proposal_id: Some(prop.id),
                ..letter(Step::ReminderLetter, "云纪提〔2026〕1号")
            },
            None,
            t0 + 37 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(esc.step, "reminder_letter");
    assert_eq!(
        s.proposal(prop.id)
            .await
            .unwrap()
            .unwrap()
            .decision
            .as_deref(),
        Some("confirmed")
    );
    s.escalate(
        &letter(Step::SupervisionLetter, "云纪督〔2026〕1号"),
        None,
        t0 + 51 * DAY,
    )
    .await
    .unwrap();
    // A warning interview sets a new deadline; an interview without one is refused.
    let e = s
        .escalate(
            &NewEscalation {
                attendees: "镇长".into(),
                ..letter(Step::WarningInterview, "云纪谈〔2026〕1号")
            },
            None,
            t0 + 52 * DAY,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "empty");
    let new_deadline = sunledger_core::day::format(sunledger_core::day::today(t0 + 52 * DAY) + 10);
    s.escalate(
        &NewEscalation {
            attendees: "镇长、分管副镇长、财政所长".into(),
            new_deadline: Some(new_deadline.clone()),
            ..letter(Step::WarningInterview, "云纪谈〔2026〕1号")
        },
        None,
        t0 + 52 * DAY,
    )
    .await
    .unwrap();
    assert_eq!(s.problem(p0).await.unwrap().unwrap().deadline, new_deadline);
    // Still unfixed a week later: payment to the project is suspended and a payment refused.
    assert_eq!(due(t0 + 59 * DAY).await, vec![Step::SuspendPayment]);
    let susp = s
        .escalate(
            &letter(Step::SuspendPayment, "云财暂〔2026〕1号"),
            None,
            t0 + 59 * DAY,
        )
        .await
        .unwrap();
    assert!(susp.suspension_id.is_some());
    let refused = s
        .book_transfer(
            &tr(
                "sv-d1",
                TransferKind::Disburse,
                Some(Owner::Project(project.id)),
                None,
                Some("某建筑公司"),
            ),
            t0 + 59 * DAY,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Suspended { .. })),
        "{refused:?}"
    );

    // Rectified: submitted with evidence, rejected once, resubmitted, verified — payment resumes.
    let e = s
        .problem_action(p0, ProblemAction::Submit, " ", None, t0 + 60 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "empty");
    s.problem_action(p0, ProblemAction::Start, "", None, t0 + 60 * DAY)
        .await
        .unwrap();
    s.problem_action(
        p0,
        ProblemAction::Submit,
        "资金已拨付，附拨付凭证",
        None,
        t0 + 60 * DAY,
    )
    .await
    .unwrap();
    let p = s
        .problem_action(p0, ProblemAction::Reject, "凭证不全", None, t0 + 61 * DAY)
        .await
        .unwrap();
    assert_eq!((p.state.as_str(), p.rejections), ("rectifying", 1));
    s.problem_action(
        p0,
        ProblemAction::Submit,
        "补充银行回单",
        None,
        t0 + 62 * DAY,
    )
    .await
    .unwrap();
    let p = s
        .problem_action(p0, ProblemAction::Verify, "核实无误", None, t0 + 63 * DAY)
        .await
        .unwrap();
    assert_eq!(p.state, "closed");
    assert!(
        s.suspensions_within(&rc(K), true).await.unwrap().is_empty(),
        "payment resumed"
    );
    s.book_transfer(
        &tr(
            "sv-d2",
            TransferKind::Disburse,
            Some(Owner::Project(project.id)),
            None,
            Some("某建筑公司"),
        ),
        t0 + 63 * DAY,
    )
    .await
    .unwrap();
    assert!(
        due(t0 + 90 * DAY).await.is_empty(),
        "nothing is due on a closed problem"
    );
    let e = s
        .escalate(
            &NewEscalation {
                deduction_points: Some(2),
                ..letter(Step::InformedCriticism, "x")
            },
            None,
            t0 + 64 * DAY,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "problem_closed");
    let p = s
        .problem_action(
            p0,
            ProblemAction::Reopen,
            "回访发现资金再次滞留",
            None,
            t0 + 70 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(p.state, "rectifying");

    // Double investigation of one case: a review of the leaders' supervisory duty, linked.
    let (party, _) = dept(s, K, DepartmentKind::PartyCommittee, "中共云岭县委员会").await;
    let review = s
        .create_problem(
            &NewProblem {
                region: rc(K),
                inspection_id: Some(ins.id),
                project_id: None,
                review_of: Some(ids[1]),
                category: ProblemCategory::CadreStyle,
                severity: Severity::General,
                title: "一案双查：分管领导监督责任".into(),
                description: "审查乡镇分管领导是否履行监督责任".into(),
                department_id: party,
                person_id: None,
                amount: Money::from_fen(0),
                deadline: deadline.clone(),
            },
            None,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(review.review_of, Some(ids[1]));
    // A referral and its outcome (corruption may be referred at once).
    let r = s.problem_record(p0).await.unwrap().unwrap();
    assert_eq!(r.escalations.len(), 4);
    assert_eq!(
        r.events
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["start", "submit", "reject", "submit", "verify", "reopen"]
    );

    let rep = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);
    for (table, set) in [
        ("households", "size = 9"),
        ("spot_draws", "seed = 'x'"),
        ("inspections", "findings = 'x'"),
        ("problems", "amount = 1"),
        ("problem_events", "text = 'x'"),
        ("escalations", "document_no = 'x'"),
        ("escalation_proposals", "step = 'x'"),
    ] {
        raw_sql(
            &db,
            &format!("UPDATE {table} SET {set} WHERE id = (SELECT MIN(id) FROM {table})"),
        )
        .await;
        let rep = sunledger::verify::verify(s, &[]).await.unwrap();
        assert!(
            rep.findings.iter().any(|f| f.subject.starts_with(table)),
            "{table}: {:?}",
            rep.findings
        );
    }
}
both!(supervision_story, story);

// --- The whole ladder through the real server ---------------------------------------------------

async fn json_of(r: reqwest::Response, want: u16) -> serde_json::Value {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

const VILLAGE: &str = "529121100201";

async fn ladder_on_the_web(app: TestApp) {
    use serde_json::json;
    let s = app.db.store.as_ref();
    let today = |app: &TestApp| sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let fmt = sunledger_core::day::format;
    let inspector = app.signed_in("yunling.discipline").await;

    // An inspection with three findings for the township government.
    let ins = json_of(
        inspector
            .post(app.url("/api/v1/inspections"))
            .json(&json!({
                "region": K, "kind": "routine", "title": "第四季度扶贫项目资金监督检查",
                "team": "县纪委 李静（组长）；县扶贫移民局；县财政局",
                "lead_departments": ["discipline_commission", "poverty_bureau", "finance_bureau"],
                "targets": format!("region:{T}"), "planned_on": fmt(today(&app)),
                "done_on": fmt(today(&app)), "findings": "发现问题三个，详见问题整改台账"}))
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
    let deadline = fmt(today(&app) + 20);
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

    // Money arranged to the project, for the suspension to bite.
    let finance = app.signed_in("yunling.finance").await;
    let fund = json_of(
        finance
            .post(app.url("/api/v1/funds"))
            .json(&json!({"client_id": "lad-f", "region": VILLAGE, "source": "county_budget", "fiscal_year": 2026,
                "document_no": "云财〔2026〕30号", "name": "村级衔接资金", "amount": "500000.00", "booked_on": fmt(today(&app))}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let fund_id = fund["fund"]["id"].as_i64().unwrap();
    let transfer = |client: &str, kind: &str| {
        let mut b = json!({"client_id": client, "fund_id": fund_id, "kind": kind, "amount": "10000.00",
            "booked_on": fmt(today(&app)), "document_no": "x", "purpose": "工程款"});
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

    // Overdue by a week: the daily job proposes a reminder letter; the inspector confirms it.
    app.clock.advance_days(27);
    let now_t = sunledger_web::Clock::now(&*app.clock);
    let made = s
        .propose_escalations(&[rc(K)], &sv::default_rules(), now_t)
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
    interview["new_deadline"] = json!(fmt(today(&app) + 7));
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

    // The spot-check sample of a seed is the same in another round (and on any machine).
    let city = app.signed_in("city.bureau").await;
    let draw = |round: &str| {
        city.post(app.url("/api/v1/spot-draws"))
            .json(&json!({"region": "5291", "round": round, "seed": "2026-12-01 公开摇号 0457"}))
            .send()
    };
    let a = json_of(draw("2026-12").await.unwrap(), 201).await;
    let b = json_of(draw("2026-12-repeat").await.unwrap(), 201).await;
    assert_eq!(a["sample"], b["sample"]);
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

    // Coverage across the year boundary: 2027Q1 runs, 2026Q4 had the inspection.
    let days_to_new_year = sunledger_core::day::parse("d", "2027-01-15").unwrap() - today(&app);
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

/// `sunledger escalate` lists the due steps (`--dry-run` records nothing) and records each
/// proposal once.
async fn escalate_command(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let (dept_id, _) = dept(s, T, DepartmentKind::Government, "金坪镇人民政府").await;
    let t0 = now() - 40 * DAY;
    let p = s
        .create_problem(
            &NewProblem {
                region: rc(T),
                inspection_id: None,
                project_id: None,
                review_of: None,
                category: ProblemCategory::Objectives,
                severity: Severity::General,
                title: "目标任务未完成".into(),
                description: "x".into(),
                department_id: dept_id,
                person_id: None,
                amount: Money::from_fen(0),
                deadline: sunledger_core::day::format(sunledger_core::day::today(t0) + 10),
            },
            None,
            t0,
        )
        .await
        .unwrap();
    let (code, out, err) = crate::cli::sunledger(&db, &["escalate", "--dry-run"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("{}\t", p.id))
            && out.contains("reminder_letter")
            && out.contains("dry run"),
        "{out}"
    );
    let (_, out, _) = crate::cli::sunledger(&db, &["escalate", "--region", K2], None);
    assert!(out.contains("no escalation step is due"), "{out}");
    let (code, out, _) = crate::cli::sunledger(&db, &["escalate"], None);
    assert_eq!(code, 0);
    assert!(out.contains("1 new proposal"), "{out}");
    let (_, out, _) = crate::cli::sunledger(&db, &["escalate"], None);
    assert!(out.contains("0 new proposal"), "{out}");
    let r = s.problem_record(p.id).await.unwrap().unwrap();
    assert_eq!(r.proposals.len(), 1);
    assert_eq!(r.proposals[0].step, "reminder_letter");
    assert!(r.proposals[0].decision.is_none());
}
both!(escalate_lists_and_proposes, escalate_command);
