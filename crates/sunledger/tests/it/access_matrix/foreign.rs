//! The rows of 石门县 the access matrix names: a project under notice, a problem on the ladder,
//! a notice with its objection, an accepted project's asset, an overdue application.
use crate::support::now;

/// A project of 石门县 under notice, with an objection, a milestone, a responsible village cadre,
/// and a responsibility letter of one of its townships (ids of each).
pub(super) async fn foreign_project(
    store: &dyn sunledger_store::Store,
) -> (i64, i64, i64, i64, i64) {
    use sunledger_core::RegionCode;
    use sunledger_core::project::StageAction;
    use sunledger_core::responsibility::ResponsibleRole;
    let county = RegionCode::parse("529122").unwrap();
    let township = store.region_children(&county).await.unwrap()[0].code;
    let village = store.region_children(&township).await.unwrap()[0].code;
    let c = crate::support::declarable(store, village.as_str(), "石门县测试项目", now()).await;
    let p = store
        .create_library_project(&c, true, None, now())
        .await
        .unwrap();
    store
        .project_step(p.id, StageAction::TownshipApprove, "", None, now())
        .await
        .unwrap();
    let today = sunledger_core::day::format(sunledger_core::day::today(now()));
    let o = store
        .record_objection(p.id, "村民", "异议", &today, None, now())
        .await
        .unwrap();
    let m = store
        .add_milestone(p.id, "节点", 50, None, None, now())
        .await
        .unwrap();
    let person_in = |r: RegionCode, kinds: &'static [&'static str]| async move {
        for d in store.departments_in(&r).await.unwrap() {
            if kinds.contains(&d.kind.as_str())
                && let Some(p) = store.people_in_department(d.id).await.unwrap().first()
            {
                return p.id;
            }
        }
        panic!("no person of {kinds:?} in {r}");
    };
    let cadre = person_in(village, &["village_committee"]).await;
    let r = store
        .assign_responsibility(
            p.id,
            cadre,
            ResponsibleRole::VillageCadre,
            "2026-01-01",
            None,
            now(),
        )
        .await
        .unwrap();
    let bureau = person_in(county, &["poverty_bureau"]).await;
    let leader = person_in(township, &["party_committee", "government"]).await;
    let l = store
        .file_letter(
            &sunledger_store::NewLetter {
                township,
                fiscal_year: sunledger_core::ledger::FiscalYear::new(2026).unwrap(),
                document_no: "石扶责〔2026〕99号".into(),
                title: "责任书".into(),
                content: "内容".into(),
                bureau_person_id: bureau,
                township_person_id: leader,
                signed_on: "2026-01-10".into(),
            },
            None,
            now(),
        )
        .await
        .unwrap();
    (p.id, o.id, m.id, r.id, l.id)
}

/// An inspection of 石门县 with an overdue problem, a reminder letter taken on it, and an open
/// proposal for the next step (ids of each).
pub(super) async fn foreign_problem(store: &dyn sunledger_store::Store) -> (i64, i64, i64, i64) {
    use sunledger_core::RegionCode;
    use sunledger_core::problem::{ProblemCategory, Severity};
    let county = RegionCode::parse("529122").unwrap();
    let ins = store
        .create_inspection(
            &sunledger_store::NewInspection {
                region: county,
                kind: "routine".into(),
                title: "石门县检查".into(),
                team: "县纪委".into(),
                lead_departments: vec![sunledger_core::DepartmentKind::DisciplineCommission],
                targets: String::new(),
                planned_on: "2026-01-01".into(),
                draw_id: None,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    let dept = store.departments_in(&county).await.unwrap()[0].id;
    let t0 = now() - 100 * 86_400;
    let deadline = sunledger_core::day::format(sunledger_core::day::today(t0) + 10);
    let p = store
        .create_problem(
            &sunledger_store::NewProblem {
                region: county,
                inspection_id: Some(ins.id),
                project_id: None,
                review_of: None,
                category: ProblemCategory::FundManagement,
                severity: Severity::General,
                title: "石门县问题".into(),
                description: "x".into(),
                department_id: dept,
                person_id: None,
                amount: sunledger_core::money::Money::from_fen(0),
                deadline,
                deadline_reason: None,
            },
            None,
            t0,
        )
        .await
        .unwrap();
    let e = store
        .escalate(
            &sunledger_store::NewEscalation {
                problem_id: p.id,
                step: "discipline_referral".into(),
                document_no: "石纪移〔2026〕1号".into(),
                issuing_unit: "石门县纪委".into(),
                responsible_person: "x".into(),
                ..Default::default()
            },
            None,
            now(),
        )
        .await;
    // Not corruption: a referral skips the ladder and is refused; take the first rung.
    assert!(e.is_err());
    let e = store
        .escalate(
            &sunledger_store::NewEscalation {
                problem_id: p.id,
                step: "reminder_letter".into(),
                document_no: "石纪提〔2026〕1号".into(),
                issuing_unit: "石门县纪委".into(),
                content: "请整改".into(),
                responsible_person: "x".into(),
                ..Default::default()
            },
            None,
            t0 + 20 * 86_400,
        )
        .await
        .unwrap();
    let proposals = store
        .propose_escalations(
            &[county],
            &sunledger_core::escalation::default_rules(),
            now(),
        )
        .await
        .unwrap();
    let proposal = proposals
        .iter()
        .find(|x| x.problem_id == p.id)
        .expect("a proposal")
        .id;
    (ins.id, p.id, e.id, proposal)
}

/// An accepted project of 石门县 with an asset registered (ids of the asset and the project).
pub(super) async fn foreign_asset(store: &dyn sunledger_store::Store) -> (i64, i64) {
    use sunledger_core::RegionCode;
    use sunledger_core::asset::{AssetClass, OwnerLevel, ValueSplit};
    use sunledger_core::project::{StageAction, StatusAction};
    let county = RegionCode::parse("529122").unwrap();
    let township = store.region_children(&county).await.unwrap()[0].code;
    let village = store.region_children(&township).await.unwrap()[0].code;
    let t0 = now() - 90 * 86_400;
    let p = store
        .create_library_project(
            &crate::support::declarable(store, village.as_str(), "石门县已验收项目", t0).await,
            true,
            None,
            t0,
        )
        .await
        .unwrap();
    store
        .project_step(p.id, StageAction::TownshipApprove, "", None, t0)
        .await
        .unwrap();
    store
        .project_step(p.id, StageAction::CountyApprove, "", None, t0 + 10 * 86_400)
        .await
        .unwrap();
    let m = store
        .add_milestone(p.id, "完工", 100, None, None, t0)
        .await
        .unwrap();
    let at = t0 + 20 * 86_400;
    let done = sunledger_core::day::format(sunledger_core::day::today(at));
    store
        .project_status_step(p.id, StatusAction::Start, "", None, at)
        .await
        .unwrap();
    store
        .report_progress(m.id, 100, &done, "完工", None, at)
        .await
        .unwrap();
    store
        .project_status_step(p.id, StatusAction::Complete, "", None, at)
        .await
        .unwrap();
    crate::support::accept_through_book4(store, p.id, at).await;
    let a = store
        .register_asset(
            &sunledger_store::NewAsset {
                project_id: p.id,
                name: "石门县资产".into(),
                class: AssetClass::PublicWelfare,
                quantity: "1".into(),
                unit: "座".into(),
                value: ValueSplit::new(vec![(
                    sunledger_core::ledger::FundSource::CountyBudget,
                    sunledger_core::money::Money::from_fen(100_000),
                )])
                .unwrap(),
                distribution: None,
                owner: sunledger_store::AssetOwner {
                    level: OwnerLevel::Village,
                    region: Some(village),
                    household_id: None,
                    custodian: "村委会".into(),
                    custodian_person: "主任".into(),
                },
            },
            None,
            at,
        )
        .await
        .unwrap();
    (a.id, p.id)
}

/// A completed project of 石门县 applied for 180 days ago and not inspected, proposed on the
/// ladder (the proposal's id).
pub(super) async fn foreign_overdue(store: &dyn sunledger_store::Store) -> i64 {
    use sunledger_core::RegionCode;
    use sunledger_core::project::{StageAction, StatusAction};
    let county = RegionCode::parse("529122").unwrap();
    let township = store.region_children(&county).await.unwrap()[0].code;
    let village = store.region_children(&township).await.unwrap()[0].code;
    let t0 = now() - 200 * 86_400;
    let p = store
        .create_library_project(
            &crate::support::declarable(store, village.as_str(), "石门县逾期未验收项目", t0).await,
            true,
            None,
            t0,
        )
        .await
        .unwrap();
    store
        .project_step(p.id, StageAction::TownshipApprove, "", None, t0)
        .await
        .unwrap();
    store
        .project_step(p.id, StageAction::CountyApprove, "", None, t0 + 10 * 86_400)
        .await
        .unwrap();
    let m = store
        .add_milestone(p.id, "完工", 100, None, None, t0)
        .await
        .unwrap();
    let at = t0 + 20 * 86_400;
    let done = sunledger_core::day::format(sunledger_core::day::today(at));
    store
        .project_status_step(p.id, StatusAction::Start, "", None, at)
        .await
        .unwrap();
    store
        .report_progress(m.id, 100, &done, "完工", None, at)
        .await
        .unwrap();
    store
        .project_status_step(p.id, StatusAction::Complete, "", None, at)
        .await
        .unwrap();
    crate::support::book4_team(store, p.id, at).await;
    store
        .propose_overdue(&[county], now())
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.project_id == p.id)
        .expect("the overdue application proposed")
        .id
}

/// A published notice of 石门县 with an objection from the public.
pub(super) async fn foreign_notice(store: &dyn sunledger_store::Store) -> (i64, i64) {
    let county = sunledger_core::RegionCode::parse("529122").unwrap();
    let fields: std::collections::BTreeMap<String, String> = [
        ("title", "石门县政策公示"),
        ("channels", "12317"),
        ("content", "奖补"),
        ("scale", "10户"),
        ("object", "脱贫户"),
        ("subsidy_standard", "每户 1000 元"),
        ("amount_per_household", "1000"),
        ("fund_source", "县级资金"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let n = store
        .draft_notice(
            &sunledger_store::NewNotice {
                region: county,
                kind: "policy".into(),
                fields,
                corrects: None,
                source: None,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    store
        .notice_action(
            n.id,
            sunledger_core::notice::NoticeAction::Publish,
            None,
            now(),
        )
        .await
        .unwrap();
    let o = store
        .object(
            &sunledger_store::NewObjection {
                subject_table: "notices".into(),
                subject_id: n.id,
                content: "有异议".into(),
                name: None,
                phone: None,
                receipt: sunledger_core::notice::receipt::from_random(42),
            },
            now(),
        )
        .await
        .unwrap();
    (n.id, o.id)
}

pub(super) async fn foreign_round(store: &dyn sunledger_store::Store) -> (i64, i64) {
    let village = crate::support::rc("529122100201");
    let household = store
        .households_in(&village)
        .await
        .unwrap()
        .into_iter()
        .find(|h| !h.poor)
        .expect("a household of 石门县 not registered poor");
    let r = store
        .open_round(
            &sunledger_store::NewRound {
                village,
                year: 2026,
                kind: sunledger_core::appraisal::RoundKind::Identify,
                rules: sunledger_core::appraisal::Rules::default(),
            },
            None,
            now(),
        )
        .await
        .unwrap();
    let a = store
        .apply(
            &sunledger_store::NewApplicant {
                round_id: r.id,
                household_id: household.id,
                reason: "因病致贫".into(),
                income_evidence: "收入核算表".into(),
            },
            None,
            now(),
        )
        .await
        .unwrap();
    (r.id, a.id)
}
