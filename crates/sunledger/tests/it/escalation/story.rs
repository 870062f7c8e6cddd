//! Households, a draw, an inspection, Book 3 and the ladder as one story through the store.
use super::*;
use sunledger_store::{Fund, Inspection, Project};

/// What the steps after the fund share: the store, the story's start and what was made.
struct Cx<'a> {
    s: &'a dyn Store,
    t0: i64,
    ins: Inspection,
    project: Project,
    deadline: String,
    ids: Vec<i64>,
    fund: Fund,
}

async fn story(db: TestDb) {
    let s = db.store.as_ref();
    let villages = setup(s).await;
    let t0 = now() - 120 * DAY;
    step_households(s, &villages, t0).await;
    step_draws(s, &villages, t0).await;
    let (ins, town_dept, town_person) = step_inspection(s, t0).await;
    let (project, deadline, ids) =
        step_problems(s, &villages, t0, &ins, town_dept, town_person).await;
    let fund = step_fund(s, &villages, t0, &project).await;
    let cx = &Cx {
        s,
        t0,
        ins,
        project,
        deadline,
        ids,
        fund,
    };
    step_ladder(cx).await;
    step_interview(cx).await;
    step_suspension(cx).await;
    step_rectified(cx).await;
    step_review(cx).await;
    step_verify(&db).await;
}

/// A bad household row names its index and books nothing.
async fn step_households(s: &dyn Store, villages: &[RegionCode], t0: i64) {
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
}

/// The spot-check draw, re-derived from the seed; a round is drawn once, a redraw needs a reason.
async fn step_draws(s: &dyn Store, villages: &[RegionCode], t0: i64) {
    // The spot-check draw: two villages a county, 20 poor and 5 non-poor each.
    let rules = SampleRules::default();
    let d1 = s
        .create_draw(&rc(CITY), "2026-08", "青山2026-08", &rules, None, None, t0)
        .await
        .unwrap();
    assert_eq!(d1.sample.len(), 4);
    for v in &d1.sample {
        assert_eq!((v.poor.len(), v.non_poor.len()), (20, 5), "{v:?}");
    }
    // Anyone can re-derive it from the seed, the rules and the register.
    let mut counties: Vec<(String, Vec<sunledger_core::inspection::VillagePopulation>)> =
        Vec::new();
    for county in [K, K2] {
        let mut vs = Vec::new();
        for v in villages.iter().filter(|v| v.county_code() == county) {
            vs.push(sunledger_core::inspection::VillagePopulation {
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
    assert_eq!(
        sunledger_core::inspection::draw("青山2026-08", &rules, &counties, &[]),
        d1.sample
    );
    // A round is drawn once: drawing again is refused; a redraw with a reason replaces the
    // first, and both stay.
    assert!(matches!(
        s.create_draw(&rc(CITY), "2026-08", "青山2026-08b", &rules, None, None, t0)
            .await,
        Err(StoreError::Rule(sunledger_core::DomainError::Invalid {
            reason: "round_already_drawn",
            ..
        }))
    ));
    let d2 = s
        .create_draw(
            &rc(CITY),
            "2026-08",
            "青山2026-08b",
            &rules,
            Some("户籍名册补录了 3 个村后重抽"),
            None,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(d2.replaces, Some(d1.id));
    let all = s.draws(&[rc(CITY)]).await.unwrap();
    assert!(all.iter().any(|d| d.id == d1.id && d.replaced));
    assert!(all.iter().any(|d| d.id == d2.id && !d.replaced));
    // The population published with the draw gives the same sample again.
    let (_, population) = s.draw(d2.id).await.unwrap().unwrap();
    let population = population.expect("the population is kept");
    let mut counties: Vec<(String, Vec<sunledger_core::inspection::VillagePopulation>)> =
        Vec::new();
    for line in population.lines() {
        let (head, non_poor) = line.split_once(" | ").unwrap();
        let mut parts = head.split(' ');
        let (county, village) = (parts.next().unwrap(), parts.next().unwrap());
        let mut households: Vec<(String, bool)> = parts
            .filter(|x| !x.is_empty())
            .map(|x| (x.to_string(), true))
            .collect();
        households.extend(
            non_poor
                .split(' ')
                .filter(|x| !x.is_empty())
                .map(|x| (x.to_string(), false)),
        );
        let v = sunledger_core::inspection::VillagePopulation {
            village: village.to_string(),
            households,
        };
        match counties.last_mut() {
            Some((c, vs)) if c == county => vs.push(v),
            _ => counties.push((county.to_string(), vec![v])),
        }
    }
    assert_eq!(
        sunledger_core::inspection::draw("青山2026-08b", &rules, &counties, &[]),
        d2.sample
    );
    assert!(
        s.draws(&[rc(K)]).await.unwrap().is_empty(),
        "draws are the city's"
    );
}

/// A county inspection, completed once; returns it and the township's unit and person.
async fn step_inspection(s: &dyn Store, t0: i64) -> (Inspection, i64, i64) {
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
        .complete_inspection(ins.id, "2999-01-01", "x", None, None, t0)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "in_future");
    let today0 = sunledger_core::day::format(sunledger_core::day::today(t0));
    s.complete_inspection(ins.id, &today0, "发现问题三个", None, None, t0)
        .await
        .unwrap();
    assert!(matches!(
        s.complete_inspection(ins.id, &today0, "again", None, None, t0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    (ins, town_dept, town_person)
}

/// Three findings for the township, which sees them earliest deadline first.
async fn step_problems(
    s: &dyn Store,
    villages: &[RegionCode],
    t0: i64,
    ins: &Inspection,
    town_dept: i64,
    town_person: i64,
) -> (Project, String, Vec<i64>) {
    let project = s
        .create_library_project(
            &crate::support::content(villages[0].as_str(), "受检项目"),
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
                    deadline_reason: None,
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
    (project, deadline, ids)
}

/// Money for the project, to see the suspension bite.
async fn step_fund(s: &dyn Store, villages: &[RegionCode], t0: i64, project: &Project) -> Fund {
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
    let tr = |client: &str,
              kind: TransferKind,
              from: Option<Owner>,
              to: Option<Owner>,
              payee: Option<&str>| {
        NewTransfer {
            client_id: client.into(),
            fund_id: fund.id,
            kind,
            from,
            to,
            payee: payee.map(str::to_string),
            amount: Money::from_fen(if kind == TransferKind::Arrange {
                10_000_000
            } else {
                1_000_000
            }),
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
    fund
}

/// The ladder: nothing is due before the deadline; 7 days after it a reminder letter is.
async fn step_ladder(cx: &Cx<'_>) {
    let Cx { s, t0, .. } = *cx;
    let ids = &cx.ids;
    // The ladder: nothing is due before the deadline; 7 days after it a reminder letter is.
    let p0 = ids[0];
    let rules = sunledger_core::escalation::default_rules();
    let due = |t: i64| async move {
        s.due_escalations(&[rc(K)], &sunledger_core::escalation::default_rules(), t)
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
}

/// A warning interview sets a new deadline; an interview without one is refused.
async fn step_interview(cx: &Cx<'_>) {
    let Cx { s, t0, .. } = *cx;
    let p0 = cx.ids[0];
    let letter = |step: Step, doc: &str| NewEscalation {
        problem_id: p0,
        step: step.key().into(),
        document_no: doc.into(),
        issuing_unit: "中共云岭县纪律检查委员会".into(),
        content: "请于期限内完成整改并书面报告。".into(),
        responsible_person: "金坪镇人民政府负责人".into(),
        ..Default::default()
    };
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
}

/// Still unfixed a week later: payment to the project is suspended.
async fn step_suspension(cx: &Cx<'_>) {
    let Cx { s, t0, .. } = *cx;
    let project = &cx.project;
    let fund = &cx.fund;
    let p0 = cx.ids[0];
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
    let due = |t: i64| async move {
        s.due_escalations(&[rc(K)], &sunledger_core::escalation::default_rules(), t)
            .await
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.id == p0)
            .map(|(_, steps)| steps)
            .unwrap_or_default()
    };
    let letter = |step: Step, doc: &str| NewEscalation {
        problem_id: p0,
        step: step.key().into(),
        document_no: doc.into(),
        issuing_unit: "中共云岭县纪律检查委员会".into(),
        content: "请于期限内完成整改并书面报告。".into(),
        responsible_person: "金坪镇人民政府负责人".into(),
        ..Default::default()
    };
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
}

/// Rectified, rejected once, verified: payment resumes; then reopened.
async fn step_rectified(cx: &Cx<'_>) {
    let Cx { s, t0, .. } = *cx;
    let project = &cx.project;
    let fund = &cx.fund;
    let p0 = cx.ids[0];
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
    let due = |t: i64| async move {
        s.due_escalations(&[rc(K)], &sunledger_core::escalation::default_rules(), t)
            .await
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.id == p0)
            .map(|(_, steps)| steps)
            .unwrap_or_default()
    };
    let letter = |step: Step, doc: &str| NewEscalation {
        problem_id: p0,
        step: step.key().into(),
        document_no: doc.into(),
        issuing_unit: "中共云岭县纪律检查委员会".into(),
        content: "请于期限内完成整改并书面报告。".into(),
        responsible_person: "金坪镇人民政府负责人".into(),
        ..Default::default()
    };
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
}

/// Double investigation of one case, and the problem's record.
async fn step_review(cx: &Cx<'_>) {
    let Cx { s, t0, .. } = *cx;
    let ins = &cx.ins;
    let deadline = &cx.deadline;
    let ids = &cx.ids;
    let p0 = cx.ids[0];
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
                deadline_reason: None,
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
}

/// `sunledger verify` passes, then finds each tampered table.
async fn step_verify(db: &TestDb) {
    let s = db.store.as_ref();
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
            db,
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
