//! The project library and Book 2 through the store, on both backends: the declaration path
//! with returns, the notice and its objections, approval, revision against the approved version,
//! implementation with milestones, beneficiaries, responsibilities over time, letters, and the
//! log (`verify` finds an edited row of each new table).
use crate::both;
use crate::support::*;
use std::collections::HashSet;
use sunledger_core::department::Position;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project::{
    Budget, Category, Content, ResponsibleRole, StageAction, StatusAction, Targets,
};
use sunledger_core::{DepartmentKind, IdNumber, RegionCode};
use sunledger_store::{
    NewDepartment, NewLetter, NewPerson, ProjectFilter, ResponsibilityFilter, Store, StoreError,
};

const K: &str = "529121"; // 云岭县
const T: &str = "529121100";
const V: &str = "529121100201";
const V2: &str = "529121100202";
const DAY: i64 = 86_400;

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn content(village: &str, name: &str) -> Content {
    Content {
        name: name.into(),
        category: Category::Infrastructure,
        village: rc(village),
        fiscal_year: FiscalYear::new(2026).unwrap(),
        budget: Budget::new(vec![
            (FundSource::CentralSpecial, Money::from_fen(50_000_000)),
            (FundSource::CountyBudget, Money::from_fen(800_000)),
        ])
        .unwrap(),
        targets: Targets {
            outputs: "硬化村组道路 3.2 公里".into(),
            households: 126,
            income_effect: "户均年增收 800 元".into(),
            satisfaction: 90,
        },
        meeting_on: "2026-03-01".into(),
        meeting_ref: "村民代表大会纪要〔2026〕3号".into(),
        description: String::new(),
    }
}

async fn setup(store: &dyn Store) {
    let mut want = HashSet::new();
    for c in [K, T, V, V2, "529122100201"] {
        want.extend(rc(c).lineage());
    }
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    store.upsert_regions(&rows, now()).await.unwrap();
}

/// A person in a new department of `kind` at `region`.
async fn person(
    store: &dyn Store,
    region: &str,
    kind: DepartmentKind,
    pos: Position,
    name: &str,
) -> i64 {
    let d = store
        .create_department(
            &NewDepartment {
                region: rc(region),
                kind,
                name: format!("{name}所在{}", kind.key()),
                credit_code: None,
                stationed_by: None,
            },
            now(),
        )
        .await
        .unwrap();
    store
        .create_person(
            &NewPerson {
                department_id: d.id,
                name: name.into(),
                position: pos,
                phone: None,
            },
            now(),
        )
        .await
        .unwrap()
        .id
}

fn field_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { field, .. }) => field,
        other => panic!("expected a rule error, got {other:?}"),
    }
}
fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

async fn story(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let t0 = now();
    let actor = None;

    // A project without targets never gets in.
    let mut bad = content(V, "无目标项目");
    bad.targets.outputs = " ".into();
    let e = s
        .create_library_project(&bad, true, actor, t0)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "targets.outputs");

    // The village declares; the township returns it; the village fixes and declares again.
    let p = s
        .create_library_project(&content(V, "村组道路硬化"), true, actor, t0)
        .await
        .unwrap();
    assert_eq!((p.stage.as_str(), p.version), ("declared", 1));
    assert_eq!(p.budget_total_fen, 50_800_000);
    let e = s
        .revise_project(p.id, &content(V, "改名"), "", actor, t0)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "not_editable_in_stage");
    let e = s
        .project_step(p.id, StageAction::TownshipReturn, " ", actor, t0)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "comment");
    let p = s
        .project_step(
            p.id,
            StageAction::TownshipReturn,
            "受益户名单不全",
            actor,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(p.stage, "returned_to_village");
    let mut fixed = content(V, "村组道路硬化");
    fixed.targets.households = 131;
    let e = s
        .revise_project(p.id, &content(V, "村组道路硬化"), "", actor, t0)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "unchanged");
    let p = s
        .revise_project(p.id, &fixed, "补充受益户", actor, t0)
        .await
        .unwrap();
    assert_eq!(p.version, 2);
    let p = s
        .project_step(p.id, StageAction::Declare, "", actor, t0)
        .await
        .unwrap();
    assert_eq!(p.stage, "declared");

    // The township approves: the notice starts today; the county cannot approve for 10 days.
    let p = s
        .project_step(p.id, StageAction::TownshipApprove, "", actor, t0)
        .await
        .unwrap();
    assert_eq!(p.stage, "noticed");
    let from = p.notice_from.clone().unwrap();
    let e = s
        .project_step(p.id, StageAction::CountyApprove, "", actor, t0 + 9 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "notice_period_running");

    // An objection raised in the window must be answered first; one dated outside is refused.
    let e = s
        .record_objection(
            p.id,
            "村民甲",
            "线路占用耕地",
            "2020-01-01",
            actor,
            t0 + DAY,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "outside_notice");
    let o = s
        .record_objection(p.id, "村民甲", "线路占用耕地", &from, actor, t0 + DAY)
        .await
        .unwrap();
    let e = s
        .project_step(p.id, StageAction::CountyApprove, "", actor, t0 + 11 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "objections_unanswered");
    let o2 = s
        .answer_objection(o.id, "已调整线路，避开耕地", actor, t0 + 2 * DAY)
        .await
        .unwrap();
    assert!(o2.answer.is_some());
    assert!(matches!(
        s.answer_objection(o.id, "再次答复", actor, t0 + 2 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let p = s
        .project_step(p.id, StageAction::CountyApprove, "", actor, t0 + 10 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (p.stage.as_str(), p.status.as_deref(), p.approved_version),
        ("approved", Some("planned"), Some(2))
    );
    let p = s
        .project_step(p.id, StageAction::Record, "", actor, t0 + 11 * DAY)
        .await
        .unwrap();
    assert_eq!(p.stage, "recorded");

    // A change after approval needs a note and is a new version beside the approved one.
    let mut changed = fixed.clone();
    changed.budget = Budget::new(vec![(
        FundSource::CentralSpecial,
        Money::from_fen(52_000_000),
    )])
    .unwrap();
    let e = s
        .revise_project(p.id, &changed, "", actor, t0 + 12 * DAY)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "note");
    let p = s
        .revise_project(p.id, &changed, "追加中央资金", actor, t0 + 12 * DAY)
        .await
        .unwrap();
    assert_eq!((p.version, p.approved_version), (3, Some(2)));

    // Implementation: milestones roll up; completion needs 100 %.
    let m1 = s
        .add_milestone(p.id, "路基", 40, Some("2026-06-30"), actor, t0)
        .await
        .unwrap();
    let m2 = s
        .add_milestone(p.id, "路面", 60, None, actor, t0)
        .await
        .unwrap();
    let p = s
        .project_status_step(p.id, StatusAction::Start, "", actor, t0 + 13 * DAY)
        .await
        .unwrap();
    assert_eq!(p.status.as_deref(), Some("in_progress"));
    let today = sunledger_core::day::format(sunledger_core::day::today(t0 + 13 * DAY));
    let p = s
        .report_progress(m1.id, 100, &today, "路基完成", actor, t0 + 13 * DAY)
        .await
        .unwrap();
    assert_eq!(p.progress, 40);
    let p = s
        .report_progress(m2.id, 50, &today, "", actor, t0 + 13 * DAY)
        .await
        .unwrap();
    assert_eq!(p.progress, 70);
    let e = s
        .project_status_step(p.id, StatusAction::Complete, "", actor, t0 + 13 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "progress_incomplete");
    let e = s
        .report_progress(m2.id, 100, "2999-01-01", "", actor, t0 + 13 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "in_future");
    s.report_progress(m2.id, 100, &today, "完工", actor, t0 + 13 * DAY)
        .await
        .unwrap();
    for a in [
        StatusAction::Complete,
        StatusAction::Accept,
        StatusAction::Evaluate,
    ] {
        s.project_status_step(p.id, a, "", actor, t0 + 14 * DAY)
            .await
            .unwrap();
    }
    assert_eq!(
        s.project(p.id).await.unwrap().unwrap().status.as_deref(),
        Some("evaluated")
    );

    // Beneficiaries: valid ID numbers only, once per project.
    let id = IdNumber::parse("11010519491231002X").unwrap();
    s.add_beneficiary(p.id, "张三", &id, 4, actor, t0)
        .await
        .unwrap();
    assert!(matches!(
        s.add_beneficiary(p.id, "张三", &id, 4, actor, t0).await,
        Err(StoreError::Conflict { field }) if field == "id_number"
    ));

    // Book 2: people of the right posts, over time; history is kept.
    let leader = person(
        s,
        K,
        DepartmentKind::Government,
        Position::DeputyHead,
        "李副县长",
    )
    .await;
    let staff = person(
        s,
        K,
        DepartmentKind::PovertyBureau,
        Position::Staff,
        "王干事",
    )
    .await;
    let staff2 = person(
        s,
        K,
        DepartmentKind::PovertyBureau,
        Position::Staff,
        "赵干事",
    )
    .await;
    let township = person(
        s,
        T,
        DepartmentKind::PartyCommittee,
        Position::Secretary,
        "陈书记",
    )
    .await;
    let cadre = person(
        s,
        V,
        DepartmentKind::VillageCommittee,
        Position::Director,
        "刘主任",
    )
    .await;
    let other_cadre = person(
        s,
        V2,
        DepartmentKind::VillageCommittee,
        Position::Director,
        "邻村主任",
    )
    .await;
    let fs = person(
        s,
        V,
        DepartmentKind::ResidentWorkTeam,
        Position::FirstSecretary,
        "周书记",
    )
    .await;
    let finance = person(
        s,
        K,
        DepartmentKind::FinanceBureau,
        Position::Staff,
        "财政员",
    )
    .await;

    let e = s
        .assign_responsibility(
            p.id,
            finance,
            ResponsibleRole::BureauStaff,
            "2026-03-01",
            actor,
            t0,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "does_not_fit_role");
    let e = s
        .assign_responsibility(
            p.id,
            other_cadre,
            ResponsibleRole::VillageCadre,
            "2026-03-01",
            actor,
            t0,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "outside_project_region");
    for (who, role) in [
        (leader, ResponsibleRole::CountyLeader),
        (staff, ResponsibleRole::BureauStaff),
        (township, ResponsibleRole::TownshipOfficial),
        (cadre, ResponsibleRole::VillageCadre),
        (fs, ResponsibleRole::FirstSecretary),
    ] {
        s.assign_responsibility(p.id, who, role, "2026-03-01", actor, t0)
            .await
            .unwrap();
    }
    assert!(matches!(
        s.assign_responsibility(
            p.id,
            staff,
            ResponsibleRole::BureauStaff,
            "2026-04-01",
            actor,
            t0
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    // Staff hands over on 2026-06-30.
    let row = s
        .responsibilities(&ResponsibilityFilter {
            scopes: vec![rc(K)],
            person_id: Some(staff),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(row.len(), 1);
    let e = s
        .end_responsibility(row[0].id, "2026-02-01", "调岗", actor, t0)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "before_start");
    s.end_responsibility(row[0].id, "2026-06-30", "调岗", actor, t0)
        .await
        .unwrap();
    s.assign_responsibility(
        p.id,
        staff2,
        ResponsibleRole::BureauStaff,
        "2026-07-01",
        actor,
        t0,
    )
    .await
    .unwrap();

    let on = |d: &str| ResponsibilityFilter {
        scopes: vec![rc(K)],
        project_id: Some(p.id),
        on_day: Some(d.into()),
        ..Default::default()
    };
    let names = |v: Vec<sunledger_store::Responsibility>| {
        let mut n: Vec<String> = v.into_iter().map(|r| r.person_name).collect();
        n.sort();
        n
    };
    let june = names(s.responsibilities(&on("2026-06-30")).await.unwrap());
    assert!(june.contains(&"王干事".to_string()) && !june.contains(&"赵干事".to_string()));
    let july = names(s.responsibilities(&on("2026-07-01")).await.unwrap());
    assert!(july.contains(&"赵干事".to_string()) && !july.contains(&"王干事".to_string()));
    assert!(names(s.responsibilities(&on("2026-02-28")).await.unwrap()).is_empty());
    // Every project the first staff member was ever responsible for.
    let (ever, n) = s
        .projects(
            &ProjectFilter {
                scopes: vec![rc(K)],
                person_id: Some(staff),
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert_eq!((n, ever[0].id), (1, p.id));
    // Another county's scope sees none of it.
    let (none, n) = s
        .projects(
            &ProjectFilter {
                scopes: vec![rc("529122")],
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert!(none.is_empty() && n == 0);

    // A responsibility letter: the county bureau and the township's leadership, dated.
    let letter = NewLetter {
        township: rc(T),
        fiscal_year: FiscalYear::new(2026).unwrap(),
        document_no: "云扶责〔2026〕1号".into(),
        title: "2026年度扶贫项目监管责任书".into(),
        content: "甲方：云岭县扶贫移民局；乙方：乡党委政府。……".into(),
        bureau_person_id: staff,
        township_person_id: township,
        signed_on: "2026-02-15".into(),
    };
    let e = s
        .file_letter(
            &NewLetter {
                bureau_person_id: finance,
                ..letter.clone()
            },
            actor,
            t0,
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "bureau_person_id");
    let l = s.file_letter(&letter, actor, t0).await.unwrap();
    assert_eq!(l.content_sha256.len(), 64);
    assert!(matches!(
        s.file_letter(&letter, actor, t0).await,
        Err(StoreError::Conflict { field }) if field == "document_no"
    ));
    assert_eq!(s.letters(&[rc(K)]).await.unwrap().len(), 1);
    assert!(s.letters(&[rc("529122")]).await.unwrap().is_empty());

    // The whole history is in the record.
    let r = s.project_record(p.id).await.unwrap().unwrap();
    assert_eq!(r.versions.len(), 3);
    let actions: Vec<&str> = r.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "declare",
            "township_return",
            "declare",
            "township_approve",
            "county_approve",
            "record",
            "start",
            "complete",
            "accept",
            "evaluate"
        ]
    );
    assert_eq!(r.objections.len(), 1);
    assert_eq!(r.updates.len(), 3);
    assert_eq!(r.responsibilities.len(), 6);

    // Revoking the approval, with a reason; the village may declare it again.
    let e = s
        .project_step(p.id, StageAction::Revoke, "", actor, t0)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "comment");
    let p = s
        .project_step(
            p.id,
            StageAction::Revoke,
            "审计发现重复申报",
            actor,
            t0 + 20 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(p.stage, "revoked");

    // Every new table is in the log: verify is clean, then finds an edited row of each.
    let keys: Vec<sunledger_core::checkpoint::NoteVerifier> = vec![];
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);
    for (table, set) in [
        ("project_versions", "outputs = 'x'"),
        ("project_events", "comment = 'x'"),
        ("project_objections", "answer = 'x'"),
        ("project_milestones", "weight = 1"),
        ("milestone_updates", "progress = 1"),
        ("project_beneficiaries", "id_number = '110105194912310029'"),
        ("responsibilities", "start_on = '2020-01-01'"),
        ("responsibility_letters", "content = '改过的责任书'"),
    ] {
        raw_sql(
            &db,
            &format!("UPDATE {table} SET {set} WHERE id = (SELECT MIN(id) FROM {table})"),
        )
        .await;
        let rep = sunledger::verify::verify(s, &keys).await.unwrap();
        assert!(
            rep.findings.iter().any(|f| f.subject.starts_with(table)),
            "{table}: {:?}",
            rep.findings
        );
    }
}
both!(project_library_story, story);

// --- The declaration path through the real server -------------------------------------------

async fn json_of(r: reqwest::Response, want: u16) -> serde_json::Value {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

const VILLAGE: &str = "529121100201"; // the demo village cadre's village

async fn declaration_on_the_web(app: TestApp) {
    use serde_json::json;
    let village = app.signed_in("yunling.village").await;

    // On the phone form: a missing target comes back as the same form, filled in, with the reason.
    let mut form = vec![
        ("village", VILLAGE.to_string()),
        ("name", "光伏扶贫电站".to_string()),
        ("category", "industry".to_string()),
        ("fiscal_year", "2026".to_string()),
        ("budget_central_special", "480000.00".to_string()),
        ("budget_county_budget", "20000.50".to_string()),
        ("outputs", "".to_string()),
        ("households", "86".to_string()),
        ("income_effect", "户均年分红 1200 元".to_string()),
        ("satisfaction", "95".to_string()),
        ("meeting_on", "2026-01-08".to_string()),
        ("meeting_ref", "村民大会纪要〔2026〕1号".to_string()),
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
    assert!(
        html.contains("产出目标") && html.contains("光伏扶贫电站") && html.contains("480000.00"),
        "{html}"
    );
    form[6].1 = "建设 300 千瓦村级光伏电站".into();
    let r = village
        .post(app.url("/projects"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/projects/").parse().unwrap();
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

    // The village fixes it (a new version) and declares again.
    let body = json!({
        "village": VILLAGE, "name": "光伏扶贫电站", "category": "industry", "fiscal_year": 2026,
        "budget": [{"source": "central_special", "amount": "480000.00"}, {"source": "county_budget", "amount": "20000.50"}],
        "outputs": "建设 300 千瓦村级光伏电站并接入电网", "households": 86, "income_effect": "户均年分红 1200 元",
        "satisfaction": 95, "meeting_on": "2026-01-08", "meeting_ref": "村民大会纪要〔2026〕1号",
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

// --- Random paths against the model -------------------------------------------------------------

/// A small deterministic generator (xorshift), so a failing case can be replayed by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the store should hold, computed with the core rules only.
struct Model {
    stage: sunledger_core::project::Stage,
    status: Option<sunledger_core::project::Status>,
    notice_from: Option<i64>,
    unanswered: Vec<i64>,
    version: i64,
    approved_version: Option<i64>,
    milestones: Vec<(i64, i64, i64)>, // (id, weight, progress)
}

/// Random sequences of steps, objections, answers, revisions, milestones and reports, on a clock
/// that moves forward by days: after every operation the store agrees with the model on whether
/// it was allowed and on the project's stage, status, notice, versions and progress.
async fn random_paths(db: TestDb) {
    use sunledger_core::project::{NoticeState, Stage, Status, rollup};
    let s = db.store.as_ref();
    setup(s).await;
    let cases = if std::env::var("CI").is_ok_and(|v| v == "true") {
        60
    } else {
        20
    };
    let mut reached = HashSet::new();
    for case in 0..cases {
        let seed = 0x5eed_0000 + case;
        let mut rng = Rng(seed);
        let mut t = now() - 200 * DAY;
        let declare = rng.below(2) == 0;
        let p = s
            .create_library_project(&content(V, &format!("随机项目{case}")), declare, None, t)
            .await
            .unwrap();
        let mut m = Model {
            stage: if declare {
                Stage::Declared
            } else {
                Stage::Draft
            },
            status: None,
            notice_from: None,
            unanswered: vec![],
            version: 1,
            approved_version: None,
            milestones: vec![],
        };
        for step in 0..40 {
            t += DAY * rng.below(5) as i64;
            let today = sunledger_core::day::today(t);
            let ctx = format!("seed {seed:#x} step {step}");
            match rng.below(9) {
                0..=2 => {
                    // Mostly a step the stage allows (ignoring the notice), sometimes any step.
                    let allowed: Vec<StageAction> = StageAction::ALL
                        .iter()
                        .copied()
                        .filter(|a| {
                            let n = NoticeState {
                                from: 0,
                                unanswered: 0,
                            };
                            m.stage.next(*a, Some(n), i64::MAX / 2).is_ok()
                        })
                        .collect();
                    let a = if rng.below(4) > 0 && !allowed.is_empty() {
                        allowed[rng.below(allowed.len() as u64) as usize]
                    } else {
                        StageAction::ALL[rng.below(StageAction::ALL.len() as u64) as usize]
                    };
                    let comment = if rng.below(4) == 0 { "" } else { "意见" };
                    let notice = m.notice_from.map(|from| NoticeState {
                        from,
                        unanswered: m.unanswered.len() as u32,
                    });
                    let expect = if a.needs_comment() && comment.is_empty() {
                        None
                    } else {
                        m.stage.next(a, notice, today).ok()
                    };
                    let got = s.project_step(p.id, a, comment, None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        expect.is_some(),
                        "{ctx}: {a:?} from {:?}: {got:?}",
                        m.stage
                    );
                    if let Some(next) = expect {
                        match a {
                            StageAction::TownshipApprove => m.notice_from = Some(today),
                            StageAction::CountyApprove => {
                                m.approved_version = Some(m.version);
                                m.status = m.status.or(Some(Status::Planned));
                            }
                            _ => {}
                        }
                        m.stage = next;
                    }
                }
                3 | 8 => {
                    let cur = m.status.unwrap_or(Status::Planned);
                    let allowed: Vec<StatusAction> = StatusAction::ALL
                        .iter()
                        .copied()
                        .filter(|a| cur.next(*a, 100).is_ok())
                        .collect();
                    let a = if rng.below(4) > 0 && !allowed.is_empty() {
                        allowed[rng.below(allowed.len() as u64) as usize]
                    } else {
                        StatusAction::ALL[rng.below(StatusAction::ALL.len() as u64) as usize]
                    };
                    let progress =
                        rollup(&m.milestones.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>());
                    let expect = if m.stage.in_library() {
                        m.status.unwrap_or(Status::Planned).next(a, progress).ok()
                    } else {
                        None
                    };
                    let got = s.project_status_step(p.id, a, "", None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        expect.is_some(),
                        "{ctx}: {a:?} at {:?}: {got:?}",
                        m.status
                    );
                    if expect.is_some() {
                        m.status = expect;
                    }
                }
                4 => {
                    // An objection received today (inside the window only while noticed).
                    let got = s
                        .record_objection(
                            p.id,
                            "村民",
                            "异议",
                            &sunledger_core::day::format(today),
                            None,
                            t,
                        )
                        .await;
                    let inside = m.stage == Stage::Noticed
                        && m.notice_from.is_some_and(|f| {
                            today >= f && today < f + sunledger_core::project::NOTICE_DAYS
                        });
                    assert_eq!(got.is_ok(), inside, "{ctx}: objection: {got:?}");
                    if let Ok(o) = got {
                        m.unanswered.push(o.id);
                    }
                }
                5 => {
                    if let Some(o) = m.unanswered.pop() {
                        s.answer_objection(o, "答复", None, t).await.unwrap();
                    }
                }
                6 => {
                    let mut c = content(V, &format!("随机项目{case}"));
                    c.targets.households = 1000 + step;
                    let note = if rng.below(3) == 0 { "" } else { "调整" };
                    let editable =
                        !(m.stage.editors().is_empty() || m.stage.in_library() && note.is_empty());
                    let got = s.revise_project(p.id, &c, note, None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        editable,
                        "{ctx}: revise in {:?}: {got:?}",
                        m.stage
                    );
                    if got.is_ok() {
                        m.version += 1;
                    }
                }
                _ => {
                    let open =
                        matches!(m.status, None | Some(Status::Planned | Status::InProgress));
                    if rng.below(2) == 0 || m.milestones.is_empty() {
                        let w = 1 + rng.below(100) as i64;
                        let got = s.add_milestone(p.id, "节点", w, None, None, t).await;
                        assert_eq!(
                            got.is_ok(),
                            open && m.stage != Stage::Revoked,
                            "{ctx}: milestone: {got:?}"
                        );
                        if let Ok(ms) = got {
                            m.milestones.push((ms.id, w, 0));
                        }
                    } else {
                        let i = rng.below(m.milestones.len() as u64) as usize;
                        let pr = [0, 50, 100, 100][rng.below(4) as usize];
                        let got = s
                            .report_progress(
                                m.milestones[i].0,
                                pr,
                                &sunledger_core::day::format(today),
                                "",
                                None,
                                t,
                            )
                            .await;
                        let ok = m.stage.in_library()
                            && matches!(m.status, Some(Status::Planned | Status::InProgress));
                        assert_eq!(got.is_ok(), ok, "{ctx}: report: {got:?}");
                        if ok {
                            m.milestones[i].2 = pr;
                        }
                    }
                }
            }
            let stored = s.project(p.id).await.unwrap().unwrap();
            assert_eq!(stored.stage, m.stage.key(), "{ctx}");
            assert_eq!(stored.status.as_deref(), m.status.map(|x| x.key()), "{ctx}");
            assert_eq!(stored.version, m.version, "{ctx}");
            assert_eq!(stored.approved_version, m.approved_version, "{ctx}");
            assert_eq!(
                stored.notice_from,
                m.notice_from.map(sunledger_core::day::format),
                "{ctx}"
            );
            let progress = rollup(&m.milestones.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>());
            assert_eq!(stored.progress, i64::from(progress), "{ctx}");
            reached.insert(stored.stage.clone());
            reached.extend(stored.status.clone());
        }
    }
    // The walks went deep: every stage, and implementation under way.
    for want in [
        "declared",
        "returned_to_village",
        "noticed",
        "returned_to_township",
        "approved",
        "recorded",
        "revoked",
        "in_progress",
    ] {
        assert!(
            reached.contains(want),
            "no walk reached {want}: {reached:?}"
        );
    }
    let rep = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);
}
both!(random_paths_agree_with_the_model, random_paths);

/// Every project page renders in Chinese and in English without a raw catalogue key, for the
/// village that declares, the township that reviews and the bureau that keeps Book 2.
async fn project_pages_in_both_languages(app: TestApp) {
    use serde_json::json;
    let village = app.signed_in("yunling.village").await;
    let body = json!({
        "village": VILLAGE, "name": "页面检查项目", "category": "education", "fiscal_year": 2026,
        "budget": [{"source": "provincial", "amount": "80000.00"}], "outputs": "改造教学点 1 个",
        "households": 40, "income_effect": "减少学生通勤时间", "satisfaction": 92,
        "meeting_on": "2026-02-01", "meeting_ref": "纪要〔2026〕5号", "declare": true});
    let p = json_of(
        village
            .post(app.url("/api/v1/projects"))
            .json(&body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let township = app.signed_in("yunling.township").await;
    json_of(
        township
            .post(app.url(&format!("/api/v1/projects/{id}/steps")))
            .json(&json!({"action": "township_approve"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let bureau = app.signed_in("yunling.bureau").await;
    let letters = json_of(
        bureau
            .get(app.url("/api/v1/responsibility-letters"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let mut pages = vec![
        (&village, "/projects".to_string()),
        (&village, "/projects/new".to_string()),
        (&village, format!("/projects/{id}")),
        (&township, format!("/projects/{id}")),
        (&bureau, format!("/projects/{id}")),
        (&bureau, "/responsibility".to_string()),
        (&bureau, format!("/projects?region={}", K)),
    ];
    if let Some(l) = letters.as_array().and_then(|a| a.first()) {
        pages.push((&bureau, format!("/responsibility/letters/{}", l["id"])));
    }
    for (c, path) in pages {
        for lang in ["zh-CN", "en"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = c
                .get(app.url(&format!("{path}{sep}lang={lang}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path} in {lang}");
            let html = r.text().await.unwrap();
            crate::web::assert_no_catalogue_keys(&html);
            if lang == "en" {
                assert!(html.contains("lang=\"en\""), "{path} in English");
            }
        }
    }
}
crate::both_app!(
    project_pages_render_in_both_languages,
    project_pages_in_both_languages
);
