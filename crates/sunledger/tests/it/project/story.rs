//! The project library and Book 2 as one story through the store.
use super::*;
use sunledger_core::project::Content;
use sunledger_store::Project;

/// What every step uses: the store, the story's start and the actor (none).
struct Cx<'a> {
    s: &'a dyn Store,
    t0: i64,
    actor: Option<i64>,
}

/// The people of Book 2.
struct People {
    leader: i64,
    staff: i64,
    staff2: i64,
    township: i64,
    cadre: i64,
    other_cadre: i64,
    fs: i64,
    finance: i64,
}

async fn story(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let t0 = now();
    let cx = &Cx { s, t0, actor: None };
    step_no_targets(cx).await;
    let (p, fixed) = step_declare(cx).await;
    let (p, from) = step_notice(cx, p).await;
    let p = step_objection(cx, p, from).await;
    let p = step_change(cx, p, &fixed).await;
    let p = step_implementation(cx, p).await;
    step_beneficiaries(cx, &p).await;
    let people = step_people(cx).await;
    step_assign(cx, &p, &people).await;
    step_handover(cx, &p, &people).await;
    step_other_county(cx).await;
    step_letter(cx, &people).await;
    step_record(cx, &p).await;
    step_revoke(cx, &p).await;
    step_verify(cx, &db).await;
}

/// A project without targets never gets in.
async fn step_no_targets(cx: &Cx<'_>) {
    let Cx { s, t0, actor } = *cx;
    // A project without targets never gets in.
    let mut bad = content(V, "无目标项目");
    bad.targets[0].name = " ".into();
    let e = s
        .create_library_project(&bad, true, actor, t0)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "targets[0].name");
    let mut bad = content(V, "无目标项目");
    bad.targets.pop();
    let e = s
        .create_library_project(&bad, true, actor, t0)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "targets.weight");
}

/// The village declares; the township returns it; the village fixes and declares again.
async fn step_declare(cx: &Cx<'_>) -> (Project, Content) {
    let Cx { s, t0, actor } = *cx;
    // The village declares; the township returns it; the village fixes and declares again.
    let declared = declarable(s, V, "村组道路硬化", t0).await;
    let p = s
        .create_library_project(&declared, true, actor, t0)
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
    let mut fixed = declared.clone();
    fixed.targets[3].target = 13_100;
    let e = s
        .revise_project(p.id, &declared, "", actor, t0)
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
    (p, fixed)
}

/// The township approves: the notice starts today; the county cannot approve for 10 days.
async fn step_notice(cx: &Cx<'_>, p: Project) -> (Project, String) {
    let Cx { s, t0, actor } = *cx;
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
    (p, from)
}

/// An objection raised in the window must be answered first; one dated outside is refused.
async fn step_objection(cx: &Cx<'_>, p: Project, from: String) -> Project {
    let Cx { s, t0, actor } = *cx;
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
    p
}

/// A change after approval needs a note and is a new version beside the approved one.
async fn step_change(cx: &Cx<'_>, p: Project, fixed: &Content) -> Project {
    let Cx { s, t0, actor } = *cx;
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
    p
}

/// Implementation: milestones roll up; completion needs 100 %.
async fn step_implementation(cx: &Cx<'_>, p: Project) -> Project {
    let Cx { s, t0, actor } = *cx;
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
    s.project_status_step(p.id, StatusAction::Complete, "", actor, t0 + 14 * DAY)
        .await
        .unwrap();
    // Acceptance is Book 4's work (a team that signs, a posting): no bare step accepts.
    let e = s
        .project_status_step(p.id, StatusAction::Accept, "", actor, t0 + 14 * DAY)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "accepted_through_book4");
    assert_eq!(
        s.project(p.id).await.unwrap().unwrap().status.as_deref(),
        Some("completed")
    );
    p
}

/// Beneficiaries: valid ID numbers only, once per project.
async fn step_beneficiaries(cx: &Cx<'_>, p: &Project) {
    let Cx { s, t0, actor } = *cx;
    // Beneficiaries: valid ID numbers only, once per project.
    let id = IdNumber::parse("11010519491231002X").unwrap();
    s.add_beneficiary(p.id, "张三", &id, 4, actor, t0)
        .await
        .unwrap();
    assert!(matches!(
        s.add_beneficiary(p.id, "张三", &id, 4, actor, t0).await,
        Err(StoreError::Conflict { field }) if field == "id_number"
    ));
}

/// Book 2: the people of the county, the township and two villages.
async fn step_people(cx: &Cx<'_>) -> People {
    let Cx { s, .. } = *cx;
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
    People {
        leader,
        staff,
        staff2,
        township,
        cadre,
        other_cadre,
        fs,
        finance,
    }
}

/// People of the right posts only, each role once at a time.
async fn step_assign(cx: &Cx<'_>, p: &Project, people: &People) {
    let Cx { s, t0, actor } = *cx;
    let People {
        leader,
        staff,
        township,
        cadre,
        other_cadre,
        fs,
        finance,
        ..
    } = *people;
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
}

/// Staff hands over on 2026-06-30; who was responsible on a day; history is kept.
async fn step_handover(cx: &Cx<'_>, p: &Project, people: &People) {
    let Cx { s, t0, actor } = *cx;
    let People { staff, staff2, .. } = *people;
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
}

/// Another county's scope sees none of it.
async fn step_other_county(cx: &Cx<'_>) {
    let Cx { s, .. } = *cx;
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
}

/// A responsibility letter: the county bureau and the township's leadership, dated.
async fn step_letter(cx: &Cx<'_>, people: &People) {
    let Cx { s, t0, actor } = *cx;
    let People {
        staff,
        township,
        finance,
        ..
    } = *people;
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
}

/// The whole history is in the record.
async fn step_record(cx: &Cx<'_>, p: &Project) {
    let Cx { s, .. } = *cx;
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
            "complete"
        ]
    );
    assert_eq!(r.objections.len(), 1);
    assert_eq!(r.updates.len(), 3);
    assert_eq!(r.responsibilities.len(), 6);
}

/// Revoking the approval, with a reason.
async fn step_revoke(cx: &Cx<'_>, p: &Project) {
    let Cx { s, t0, actor } = *cx;
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
}

/// Every new table is in the log: verify is clean, then finds an edited row of each.
async fn step_verify(cx: &Cx<'_>, db: &TestDb) {
    let Cx { s, .. } = *cx;
    // Every new table is in the log: verify is clean, then finds an edited row of each.
    let keys: Vec<sunledger_core::log::checkpoint::NoteVerifier> = vec![];
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);
    for (table, set) in [
        ("project_versions", "outputs = 'x'"),
        ("project_indicators", "weight = 11"),
        ("project_events", "comment = 'x'"),
        ("project_objections", "answer = 'x'"),
        ("project_milestones", "weight = 1"),
        ("milestone_updates", "progress = 1"),
        ("project_beneficiaries", "id_number = '110105194912310029'"),
        ("responsibilities", "start_on = '2020-01-01'"),
        ("responsibility_letters", "content = '改过的责任书'"),
    ] {
        raw_sql(
            db,
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
