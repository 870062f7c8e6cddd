//! Four eyes (issue 15): every control step is tried by the person who took the step it controls,
//! on both backends, through the store that the API and the pages both call; each is refused
//! naming the rule, and someone else may take it.
use crate::support::{TestDb, declarable, rc};
use std::collections::BTreeSet;
use sunledger_core::DomainError;
use sunledger_core::duty::Control;
use sunledger_core::ledger::{FiscalYear, FundSource, TransferKind};
use sunledger_core::money::Money;
use sunledger_core::problem::{ProblemAction, ProblemCategory, Severity};
use sunledger_core::project::StageAction;
use sunledger_core::{RegionCode, Role};
use sunledger_store::NewEscalation;
use sunledger_store::prelude::*;
use sunledger_store::{
    AuthEventKind, NewAuthEvent, NewFund, NewGrant, NewProblem, NewTransfer, NewUser, Owner,
    StoreError,
};

const NOW: i64 = 1_780_275_600;
const DAY: i64 = 86_400;
const COUNTY: &str = "529121";
const TOWNSHIP: &str = "529121100";
const VILLAGE: &str = "529121100201";

/// A new account with roles on regions.
pub(crate) async fn person(s: &dyn Store, name: &str, roles: &[(Role, &str)]) -> i64 {
    let region: RegionCode = rc(roles.first().map(|(_, r)| *r).unwrap_or(COUNTY));
    let ev = |kind| NewAuthEvent {
        at: NOW,
        kind,
        region: Some(region),
        username: Some(name.into()),
        user_id: None,
        actor_id: None,
        ip: None,
        detail: String::new(),
    };
    let u = s
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                region,
                person_id: None,
            },
            &ev(AuthEventKind::UserAdded),
        )
        .await
        .expect("user");
    for (role, r) in roles {
        s.add_grant(
            &NewGrant {
                user_id: u.id,
                role: *role,
                region: rc(r),
                granted_by: None,
            },
            NOW,
            &ev(AuthEventKind::Grant),
        )
        .await
        .expect("grant");
    }
    u.id
}

/// The refusal `StoreError::Rule` naming `reason`.
fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>, reason: &str) {
    match r {
        Err(StoreError::Rule(DomainError::Invalid { reason: got, .. })) => {
            assert_eq!(got, reason)
        }
        other => panic!("expected a refusal naming {reason}, got {other:?}"),
    }
}

async fn four_eyes_on_every_control_step(db: TestDb) {
    let s = db.store.as_ref();
    sunledger::demo::load(s, NOW).await.unwrap();
    let mut tried: BTreeSet<Control> = BTreeSet::new();
    let county_finance = person(s, "fe.county.finance", &[(Role::Finance, COUNTY)]).await;
    let county_finance_2 = person(s, "fe.county.finance2", &[(Role::Finance, COUNTY)]).await;
    let township_finance = person(s, "fe.township.finance", &[(Role::Finance, TOWNSHIP)]).await;
    let city_finance = person(s, "fe.city.finance", &[(Role::Finance, "5291")]).await;
    let cadre = person(
        s,
        "fe.cadre",
        &[
            (Role::VillageCadre, VILLAGE),
            (Role::TownshipOfficial, TOWNSHIP),
        ],
    )
    .await;
    let township = person(
        s,
        "fe.township",
        &[
            (Role::TownshipOfficial, TOWNSHIP),
            (Role::PovertyBureau, COUNTY),
        ],
    )
    .await;
    let bureau = person(s, "fe.bureau", &[(Role::PovertyBureau, COUNTY)]).await;
    let inspector = person(s, "fe.inspector", &[(Role::Discipline, COUNTY)]).await;

    // Confirming receipt controls the dispatch: not the sender, not the level above, the
    // receiving township.
    let (fund, _) = s
        .create_fund(
            &NewFund {
                client_id: "fe-fund".into(),
                region: rc(COUNTY),
                source: FundSource::CountyBudget,
                fiscal_year: FiscalYear::new(2026).unwrap(),
                document_no: "云财〔2026〕1号".into(),
                name: "县级衔接资金".into(),
                detention_days: 30,
                amount: Money::from_fen(1_000_000),
                booked_on: "2026-05-20".into(),
                actor: Some(county_finance),
            },
            NOW,
        )
        .await
        .unwrap();
    let sent = s
        .book_transfer(
            &NewTransfer {
                client_id: "fe-appr".into(),
                fund_id: fund.id,
                kind: TransferKind::Appropriate,
                from: Some(Owner::Region(rc(COUNTY))),
                to: Some(Owner::Region(rc(TOWNSHIP))),
                payee: None,
                amount: Money::from_fen(400_000),
                booked_on: "2026-05-21".into(),
                document_no: "云财〔2026〕2号".into(),
                purpose: "拨付乡镇".into(),
                actor: Some(county_finance),
                reverses: None,
            },
            NOW,
        )
        .await
        .unwrap();
    refused(
        s.confirm_receipt(sent.id, "2026-05-22", Some(county_finance), NOW)
            .await,
        Control::ConfirmReceipt.refusal(),
    );
    refused(
        s.confirm_receipt(sent.id, "2026-05-22", Some(county_finance_2), NOW)
            .await,
        "only_receiving_level_confirms",
    );
    let confirmed = s
        .confirm_receipt(sent.id, "2026-05-22", Some(township_finance), NOW)
        .await
        .unwrap();
    assert_eq!(confirmed.state.as_deref(), Some("received"));
    tried.insert(Control::ConfirmReceipt);

    // Verifying a rectification controls its submission.
    let dept = s.departments_in(&rc(TOWNSHIP)).await.unwrap()[0].id;
    let problem = s
        .create_problem(
            &NewProblem {
                region: rc(TOWNSHIP),
                inspection_id: None,
                project_id: None,
                review_of: None,
                category: ProblemCategory::FundManagement,
                severity: Severity::General,
                title: "资金拨付不及时".into(),
                description: "乡镇未按期拨付".into(),
                department_id: dept,
                person_id: None,
                amount: Money::from_fen(0),
                deadline: "2026-07-01".into(),
                deadline_reason: None,
            },
            Some(inspector),
            NOW,
        )
        .await
        .unwrap();
    s.problem_action(
        problem.id,
        ProblemAction::Submit,
        "整改报告",
        Some(county_finance),
        NOW,
    )
    .await
    .unwrap();
    for action in [ProblemAction::Verify, ProblemAction::Reject] {
        refused(
            s.problem_action(problem.id, action, "核实", Some(county_finance), NOW)
                .await,
            Control::VerifyRectification.refusal(),
        );
    }
    s.problem_action(problem.id, ProblemAction::Verify, "", Some(inspector), NOW)
        .await
        .unwrap();
    tried.insert(Control::VerifyRectification);

    // A suspension the ladder booked lifts on verification, or by finance a level above the
    // issuing unit with a document: not by the issuing unit.
    let problem = s
        .create_problem(
            &NewProblem {
                title: "挪用项目资金".into(),
                ..NewProblem {
                    region: rc(TOWNSHIP),
                    inspection_id: None,
                    project_id: None,
                    review_of: None,
                    category: ProblemCategory::FundManagement,
                    severity: Severity::Serious,
                    title: String::new(),
                    description: "挪用".into(),
                    department_id: dept,
                    person_id: None,
                    amount: Money::from_fen(50_000),
                    deadline: "2026-06-10".into(),
                    deadline_reason: None,
                }
            },
            Some(inspector),
            NOW,
        )
        .await
        .unwrap();
    let mut suspension = None;
    for (i, step) in ["reminder_letter", "work_interview", "suspend_payment"]
        .iter()
        .enumerate()
    {
        let e = s
            .escalate(
                &NewEscalation {
                    problem_id: problem.id,
                    step: (*step).into(),
                    document_no: format!("云扶督〔2026〕{}号", i + 10),
                    issuing_unit: "云岭县扶贫移民局".into(),
                    content: "逾期未整改".into(),
                    attendees: if i == 1 {
                        "乡镇长".into()
                    } else {
                        String::new()
                    },
                    new_deadline: (i == 1).then(|| "2026-07-15".to_string()),
                    responsible_person: "乡镇长".into(),
                    deduction_points: None,
                    proposal_id: None,
                },
                Some(bureau),
                NOW,
            )
            .await
            .unwrap();
        suspension = e.suspension_id;
    }
    let suspension = suspension.expect("the ladder booked a suspension");
    refused(
        s.resume(suspension, "云财〔2026〕3号", Some(county_finance), NOW)
            .await,
        Control::LiftLadderSuspension.refusal(),
    );
    refused(
        s.resume(suspension, " ", Some(city_finance), NOW).await,
        Control::LiftLadderSuspension.refusal(),
    );
    s.resume(suspension, "市财〔2026〕4号", Some(city_finance), NOW)
        .await
        .unwrap();
    tried.insert(Control::LiftLadderSuspension);

    // The township does not approve what its approver declared; the county does not approve
    // what its approver approved at the township.
    let p = s
        .create_library_project(
            &declarable(s, VILLAGE, "村组道路硬化", NOW).await,
            true,
            Some(cadre),
            NOW,
        )
        .await
        .unwrap();
    refused(
        s.project_step(p.id, StageAction::TownshipApprove, "", Some(cadre), NOW)
            .await,
        Control::TownshipApproval.refusal(),
    );
    s.project_step(p.id, StageAction::TownshipApprove, "", Some(township), NOW)
        .await
        .unwrap();
    tried.insert(Control::TownshipApproval);
    let after_notice = NOW + 12 * DAY;
    refused(
        s.project_step(
            p.id,
            StageAction::CountyApprove,
            "",
            Some(township),
            after_notice,
        )
        .await,
        Control::CountyApproval.refusal(),
    );
    s.project_step(
        p.id,
        StageAction::CountyApprove,
        "",
        Some(bureau),
        after_notice,
    )
    .await
    .unwrap();
    tried.insert(Control::CountyApproval);

    // The drafter of a notice does not publish it; whoever recorded a posting does not confirm it.
    let fields: std::collections::BTreeMap<String, String> = [
        ("title", "产业奖补公示"),
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
    let n = s
        .draft_notice(
            &sunledger_store::NewNotice {
                region: rc(VILLAGE),
                kind: "policy".into(),
                fields,
                corrects: None,
                source: None,
            },
            Some(cadre),
            NOW,
        )
        .await
        .unwrap();
    refused(
        s.notice_action(
            n.id,
            sunledger_core::notice::NoticeAction::Publish,
            Some(cadre),
            NOW,
        )
        .await,
        Control::PublishNotice.refusal(),
    );
    s.notice_action(
        n.id,
        sunledger_core::notice::NoticeAction::Publish,
        Some(township),
        NOW,
    )
    .await
    .unwrap();
    tried.insert(Control::PublishNotice);
    let photo = b"\x89PNG\r\n\x1a\nphoto".to_vec();
    let posting = s
        .record_posting(
            &sunledger_store::NewPosting {
                notice_id: n.id,
                place: "村务公开栏".into(),
                posted_on: sunledger_core::day::format(sunledger_core::day::today(NOW)),
                posted_by: "村文书".into(),
                photo,
            },
            Some(cadre),
            NOW,
        )
        .await
        .unwrap();
    refused(
        s.confirm_posting(posting.id, Some(cadre), NOW).await,
        Control::ConfirmPosting.refusal(),
    );
    s.confirm_posting(posting.id, Some(township), NOW)
        .await
        .unwrap();
    tried.insert(Control::ConfirmPosting);

    // Book 4: the applicant does not precheck their application; whoever recorded the team's
    // inspection does not accept the project (the demo's overdue application and its posted one).
    let county = vec![rc(COUNTY)];
    let in_state = |state: &str| sunledger_store::AcceptanceFilter {
        scopes: county.clone(),
        state: Some(state.into()),
        ..Default::default()
    };
    let (applied, _) = s.acceptances(&in_state("applied"), 10, 0).await.unwrap();
    let a = applied.first().expect("the demo's overdue application");
    refused(
        s.precheck_acceptance(a.id, "初验", a.applied_by, NOW).await,
        Control::PrecheckAcceptance.refusal(),
    );
    s.precheck_acceptance(a.id, "初验", Some(township), NOW)
        .await
        .unwrap();
    tried.insert(Control::PrecheckAcceptance);
    let (posted, _) = s.acceptances(&in_state("posted"), 10, 0).await.unwrap();
    let a = posted.first().expect("the demo's posted acceptance");
    let record = s.acceptance(a.id).await.unwrap().unwrap();
    let inspector = record.latest().and_then(|i| i.actor_id);
    refused(
        s.accept_project(a.id, "", inspector, NOW + 30 * DAY).await,
        Control::AcceptProject.refusal(),
    );
    s.accept_project(a.id, "", Some(bureau), NOW + 30 * DAY)
        .await
        .unwrap();
    tried.insert(Control::AcceptProject);
    // The one who registered a project asset does not approve its disposal.
    let government = person(s, "fe.county.party", &[(Role::PartyGovernment, COUNTY)]).await;
    let m = s
        .add_milestone(p.id, "完工", 100, None, Some(cadre), after_notice)
        .await
        .unwrap();
    let done = sunledger_core::day::format(sunledger_core::day::today(after_notice));
    s.project_status_step(
        p.id,
        sunledger_core::project::StatusAction::Start,
        "",
        Some(cadre),
        after_notice,
    )
    .await
    .unwrap();
    s.report_progress(m.id, 100, &done, "完工", Some(cadre), after_notice)
        .await
        .unwrap();
    s.project_status_step(
        p.id,
        sunledger_core::project::StatusAction::Complete,
        "",
        Some(bureau),
        after_notice,
    )
    .await
    .unwrap();
    crate::support::accept_through_book4(s, p.id, after_notice).await;
    let asset = s
        .register_asset(
            &sunledger_store::NewAsset {
                project_id: p.id,
                name: "村组道路".into(),
                class: sunledger_core::asset::AssetClass::PublicWelfare,
                quantity: "3.2".into(),
                unit: "公里".into(),
                value: sunledger_core::asset::ValueSplit::new(vec![(
                    FundSource::CentralSpecial,
                    Money::from_fen(10_000_000),
                )])
                .unwrap(),
                distribution: None,
                owner: sunledger_store::AssetOwner {
                    level: sunledger_core::asset::OwnerLevel::Village,
                    region: Some(rc(VILLAGE)),
                    household_id: None,
                    custodian: "村委会".into(),
                    custodian_person: "护路员".into(),
                },
            },
            Some(bureau),
            after_notice,
        )
        .await
        .unwrap();
    let dispose = sunledger_store::AssetStep {
        action: sunledger_core::asset::AssetAction::Dispose,
        decision: sunledger_core::asset::Decision::new(
            "document",
            "",
            "云扶领〔2026〕30号",
            "山洪冲毁",
            sunledger_core::day::today(after_notice),
        )
        .unwrap(),
        owner: None,
        disposal_kind: Some(sunledger_core::asset::DisposalKind::Scrap),
        proceeds: None,
    };
    refused(
        s.asset_step(asset.id, &dispose, Some(bureau), after_notice)
            .await,
        Control::DisposeAsset.refusal(),
    );
    s.asset_step(asset.id, &dispose, Some(government), after_notice)
        .await
        .unwrap();
    tried.insert(Control::DisposeAsset);
    // The one who recorded an evaluation's values does not review it.
    let e = s.evaluations_of_project(p.id).await.unwrap()[0].clone();
    let r = s.evaluation(e.id, after_notice).await.unwrap().unwrap();
    let values = r
        .indicators
        .iter()
        .map(|i| sunledger_store::NewValue {
            actual: r.known_of(i.position).is_none().then_some(i.target),
            evidence: "台账".into(),
            reason: "按实际".into(),
        })
        .collect();
    let n = sunledger_store::NewEvaluationRecord {
        values,
        summary: "运行正常".into(),
    };
    s.record_evaluation(e.id, &n, Some(bureau), after_notice)
        .await
        .unwrap();
    refused(
        s.review_evaluation(e.id, "", Some(bureau), after_notice)
            .await,
        Control::ReviewEvaluation.refusal(),
    );
    s.review_evaluation(e.id, "", Some(government), after_notice)
        .await
        .unwrap();
    tried.insert(Control::ReviewEvaluation);
    // The one who answered a complaint does not answer its review.
    let rules = sunledger_core::complaint::Rules::default();
    let cal = sunledger_core::day::Calendar::china();
    let n = sunledger_store::NewComplaint {
        code: "SL-2026-DUTY0001".into(),
        pin_hash: "x".into(),
        channel: sunledger_core::complaint::Channel::Letter,
        category: sunledger_core::complaint::ComplaintCategory::Project,
        region: rc(VILLAGE),
        project_id: None,
        fund_text: String::new(),
        accused_text: String::new(),
        accused_level: None,
        title: "路没修完".into(),
        body: "路没修完".into(),
        anonymous: true,
        name: String::new(),
        contact: String::new(),
        consent: false,
        received_on: sunledger_core::day::today_text(NOW),
        intake_by: None,
        files: Vec::new(),
        rules: rules.clone(),
    };
    let c = s.file_complaint(&n, NOW).await.unwrap();
    let step = |action, finding, by_complainant| sunledger_store::ComplaintStepInput {
        action,
        text: "答复".into(),
        finding,
        transfer_to: None,
        merge_into: None,
        department_id: None,
        by_complainant,
    };
    use sunledger_core::complaint::{ComplaintAction as CA, Finding};
    s.complaint_step(
        c.id,
        &step(CA::Accept, None, false),
        (&rules, &cal),
        Some(bureau),
        NOW,
    )
    .await
    .unwrap();
    let answer = step(CA::Answer, Some(Finding::NotSubstantiated), false);
    s.complaint_step(c.id, &answer, (&rules, &cal), Some(bureau), NOW + DAY)
        .await
        .unwrap();
    let request = step(CA::RequestReview, None, true);
    s.complaint_step(c.id, &request, (&rules, &cal), None, NOW + 2 * DAY)
        .await
        .unwrap();
    let review = step(CA::AnswerReview, Some(Finding::NotSubstantiated), false);
    refused(
        s.complaint_step(c.id, &review, (&rules, &cal), Some(bureau), NOW + 3 * DAY)
            .await,
        Control::ReviewComplaint.refusal(),
    );
    s.complaint_step(
        c.id,
        &review,
        (&rules, &cal),
        Some(government),
        NOW + 3 * DAY,
    )
    .await
    .unwrap();
    tried.insert(Control::ReviewComplaint);

    // The annual assessment: the one who reviewed the round does not publish it.
    let assessor = person(s, "fe.city.assessor", &[(Role::MunicipalBureau, "5291")]).await;
    let assessor2 = person(s, "fe.city.assessor2", &[(Role::MunicipalBureau, "5291")]).await;
    use sunledger_core::assessment::RoundAction as RA;
    let city = rc("5291");
    // The demo's round is published: withdrawn (with a reason) before it is reviewed again.
    s.assessment_round_step(&city, 2026, RA::Unpublish, "重新核算", Some(assessor), NOW)
        .await
        .unwrap();
    s.assessment_round_step(&city, 2026, RA::Review, "", Some(assessor), NOW)
        .await
        .unwrap();
    refused(
        s.assessment_round_step(&city, 2026, RA::Publish, "", Some(assessor), NOW)
            .await,
        Control::PublishAssessment.refusal(),
    );
    let r = s
        .assessment_round_step(&city, 2026, RA::Publish, "", Some(assessor2), NOW)
        .await
        .unwrap();
    assert_eq!(r.state, "published");
    tried.insert(Control::PublishAssessment);

    assert_eq!(
        tried,
        Control::ALL.iter().copied().collect::<BTreeSet<_>>(),
        "every control step is tried"
    );
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
crate::both!(
    four_eyes_on_every_control_step_on,
    four_eyes_on_every_control_step
);
