//! The demo's Book 3: problems in every state for the featured township of 云岭县, with the
//! escalations their cases name.
use super::inspection::Inspected;
use super::{City, DAY, escalation};
use anyhow::{Context, Result};
use sunledger_core::day;
use sunledger_core::escalation::Step;
use sunledger_core::money::Money;
use sunledger_core::problem::{ProblemAction, ProblemCategory, Severity};
use sunledger_core::{DepartmentKind, RegionCode};
use sunledger_store::{NewProblem, ProjectFilter, Store};

pub(super) async fn department(
    store: &dyn Store,
    region: &RegionCode,
    kind: DepartmentKind,
) -> Result<Option<(i64, Option<i64>)>> {
    for d in store.departments_in(region).await? {
        if d.kind == kind.key() {
            let person = store
                .people_in_department(d.id)
                .await?
                .first()
                .map(|p| p.id);
            return Ok(Some((d.id, person)));
        }
    }
    Ok(None)
}

/// Books the problems and their steps; `false` when the featured township is missing (then
/// nothing is booked and no escalation is proposed).
pub(super) async fn load(store: &dyn Store, city: &City, record: &Inspected) -> Result<bool> {
    let now = city.now;
    let featured = &record.featured;
    let featured_inspection = record.featured_inspection;
    // Book 3 for the featured township of 云岭县 (and a few in the second county).
    let Some(county) = featured.first().copied() else {
        return Ok(false);
    };
    let Some(township) = store
        .region_children(&county)
        .await?
        .first()
        .map(|r| r.code)
    else {
        return Ok(false);
    };
    let Some((dept, person)) = department(store, &township, DepartmentKind::Government).await?
    else {
        return Ok(false);
    };
    let village = store
        .region_children(&township)
        .await?
        .first()
        .map(|r| r.code);
    let project = match village {
        Some(v) => store
            .projects(
                &ProjectFilter {
                    scopes: vec![v],
                    ..Default::default()
                },
                1,
                0,
            )
            .await?
            .0
            .first()
            .map(|p| p.id),
        None => None,
    };
    struct Case {
        title: &'static str,
        category: ProblemCategory,
        severity: Severity,
        amount_yuan: i64,
        /// Days ago it was found, and days it was given.
        found: i64,
        given: i64,
        project: bool,
        actions: &'static [(ProblemAction, &'static str)],
        steps: &'static [Step],
    }
    use ProblemAction as A;
    let cases = [
        Case {
            title: "项目资金拨付滞后，资金在乡镇财政所滞留超过 60 天",
            category: ProblemCategory::FundManagement,
            severity: Severity::Serious,
            amount_yuan: 1_200_000,
            found: 90,
            given: 30,
            project: true,
            actions: &[(A::Start, "")],
            steps: &[
                Step::ReminderLetter,
                Step::SupervisionLetter,
                Step::WorkInterview,
                Step::WarningInterview,
                Step::SuspendPayment,
            ],
        },
        Case {
            title: "项目公示期不足 10 天即报县审批",
            category: ProblemCategory::CadreStyle,
            severity: Severity::General,
            amount_yuan: 0,
            found: 20,
            given: 30,
            project: false,
            actions: &[],
            steps: &[],
        },
        Case {
            title: "两户受益户不符合识别标准（家庭有商品房）",
            category: ProblemCategory::Targeting,
            severity: Severity::Serious,
            amount_yuan: 16_000,
            found: 45,
            given: 30,
            project: false,
            actions: &[(A::Start, "")],
            steps: &[Step::ReminderLetter],
        },
        Case {
            title: "村级光伏电站收益分配台账不全",
            category: ProblemCategory::FundManagement,
            severity: Severity::General,
            amount_yuan: 85_000,
            found: 40,
            given: 30,
            project: false,
            actions: &[
                (A::Start, ""),
                (A::Submit, "已补建收益分配台账，附台账复印件"),
            ],
            steps: &[],
        },
        Case {
            title: "产业项目验收资料缺失",
            category: ProblemCategory::TaskImplementation,
            severity: Severity::Minor,
            amount_yuan: 0,
            found: 70,
            given: 20,
            project: false,
            actions: &[
                (A::Start, ""),
                (A::Submit, "已补齐验收资料"),
                (A::Reject, "缺少受益户签字"),
                (A::Submit, "已补充受益户签字"),
                (A::Verify, "经核实已整改到位"),
            ],
            steps: &[],
        },
        Case {
            title: "群众反映：易地搬迁安置房质量问题未及时处理",
            category: ProblemCategory::PublicComplaints,
            severity: Severity::Serious,
            amount_yuan: 0,
            found: 100,
            given: 30,
            project: false,
            actions: &[
                (A::Start, ""),
                (A::Submit, "已维修 12 户"),
                (A::Verify, "现场核实"),
                (A::Reopen, "回访发现仍有 3 户漏水"),
            ],
            steps: &[],
        },
        Case {
            title: "村干部虚报冒领产业奖补资金",
            category: ProblemCategory::Corruption,
            severity: Severity::Critical,
            amount_yuan: 48_000,
            found: 60,
            given: 15,
            project: false,
            actions: &[],
            steps: &[Step::DisciplineReferral],
        },
    ];
    for (n, c) in cases.iter().enumerate() {
        let t = now - c.found * DAY;
        let p = store
            .create_problem(
                &NewProblem {
                    region: township,
                    inspection_id: featured_inspection,
                    project_id: if c.project { project } else { None },
                    review_of: None,
                    category: c.category,
                    severity: c.severity,
                    title: c.title.into(),
                    description: format!(
                        "{}。请责任单位对照问题清单立行立改，按期报送整改情况。",
                        c.title
                    ),
                    department_id: dept,
                    person_id: person,
                    amount: Money::from_fen(c.amount_yuan * 100),
                    deadline: day::format(day::today(t) + c.given),
                    deadline_reason: None,
                },
                None,
                t,
            )
            .await
            .context("demo problem")?;
        for (i, (a, text)) in c.actions.iter().enumerate() {
            store
                .problem_action(p.id, *a, text, None, t + (i as i64 + 1) * 5 * DAY)
                .await?;
        }
        let overdue_from = day::today(t) + c.given;
        escalation::book(store, now, n, p.id, overdue_from, c.steps).await?;
    }
    Ok(true)
}
