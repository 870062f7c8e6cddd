//! The demo city's supervision record: a household register for two townships of each featured
//! county, quarterly inspections (with two counties behind), a municipal spot-check draw, and
//! Book 3 problems in every state with escalations up to a suspension of payment and a referral.
//! Everything is dated before `now` and generated deterministically.
use anyhow::{Context, Result};
use sunledger_core::day;
use sunledger_core::money::Money;
use sunledger_core::supervision::{
    ProblemAction, ProblemCategory, Quarter, SampleRules, Severity, Step,
};
use sunledger_core::{DepartmentKind, IdNumber, Level, RegionCode};
use sunledger_store::{
    NewEscalation, NewHousehold, NewInspection, NewProblem, ProjectFilter, Store,
};

const DAY: i64 = 86_400;
/// The counties whose officials have demo accounts: 云岭县 first (its township and village have
/// the demo's township and village accounts), then 石门县.
const FEATURED: [&str; 2] = ["529121", "529122"];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "罗",
];
const GIVEN: [&str; 16] = [
    "德明", "秀英", "建国", "玉兰", "志强", "桂芳", "国华", "春梅", "永福", "金凤", "正清", "兰英",
    "有才", "翠花", "文忠", "小红",
];

fn pick<'a>(xs: &[&'a str], n: usize) -> &'a str {
    xs.get(n % xs.len().max(1)).copied().unwrap_or("")
}

/// A valid resident ID number of someone born in the county, from a serial.
fn id_number(county: &str, serial: u64) -> Result<IdNumber> {
    let year = 1950 + serial % 50;
    let month = 1 + serial % 12;
    let dayn = 1 + serial % 28;
    let first17 = format!(
        "{county}{year:04}{month:02}{dayn:02}{:03}",
        (serial / 7) % 1000
    );
    let c = IdNumber::check_char(&first17).context("check character")?;
    Ok(IdNumber::parse(&format!("{first17}{c}"))?)
}

async fn department(
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

/// Loads the supervision record (after the regions, departments, people and projects).
pub async fn load(store: &dyn Store, now: i64) -> Result<()> {
    let today = day::today(now);
    let city = RegionCode::parse(crate::demo::CITY)?;
    let counties: Vec<RegionCode> = store
        .region_children(&city)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();

    // The household register: every village of two townships in the featured counties.
    let mut households = Vec::new();
    let mut serial = 0u64;
    // The featured counties: those of the demo accounts (云岭县 and 石门县), not the city's
    // district that happens to sort first.
    let featured: Vec<RegionCode> = counties
        .iter()
        .copied()
        .filter(|c| FEATURED.contains(&c.county_code()))
        .collect();
    for county in &featured {
        for township in store.region_children(county).await?.iter().take(2) {
            for v in store.region_children(&township.code).await? {
                if v.level != Level::Village {
                    continue;
                }
                for i in 0..31u64 {
                    serial += 1;
                    households.push(NewHousehold {
                        village: v.code,
                        head_name: format!(
                            "{}{}",
                            pick(&SURNAMES, serial as usize * 7),
                            pick(&GIVEN, serial as usize * 3 + i as usize)
                        ),
                        id_number: id_number(county.county_code(), serial)?,
                        poor: i < 24,
                        size: 1 + (serial % 6) as i64,
                    });
                }
            }
        }
    }
    store
        .create_households(&households, now - 200 * DAY)
        .await
        .context("demo households")?;

    // Quarterly inspections: the last three quarters and the current one; 县 3 missed the last
    // quarter and 县 5 the one before.
    let current = Quarter::of_day(today);
    let quarters = [
        current.prev().prev().prev(),
        current.prev().prev(),
        current.prev(),
        current,
    ];
    let mut featured_inspection = None;
    for (ci, county) in counties.iter().enumerate() {
        for (qi, q) in quarters.iter().enumerate() {
            let behind = (ci == 3 && qi == 2) || (ci == 5 && qi == 1) || (qi == 3 && ci % 2 == 1);
            if behind {
                continue;
            }
            let (first, last) = q.days();
            let done = (first + 40).min(last).min(today - 1);
            if done < first {
                continue;
            }
            let at = now - (today - done) * DAY;
            let ins = store
                .create_inspection(
                    &NewInspection {
                        region: *county,
                        kind: "routine".into(),
                        title: format!("{}年第{}季度扶贫项目资金监督检查", q.year, q.q),
                        team: "县纪委监委（组长单位）、县扶贫移民局、县财政局".into(),
                        lead_departments: vec![
                            DepartmentKind::DisciplineCommission,
                            DepartmentKind::PovertyBureau,
                            DepartmentKind::FinanceBureau,
                        ],
                        targets: format!("region:{}", county.prefix()),
                        planned_on: day::format(done - 5),
                        draw_id: None,
                    },
                    None,
                    at - 3 * DAY,
                )
                .await
                .context("demo inspection")?;
            store
                .complete_inspection(
                    ins.id,
                    &day::format(done),
                    "抽查项目 6 个、农户 40 户；发现资金滞留、公示不到位等问题，已逐一交办。",
                    None,
                    at,
                )
                .await?;
            if featured.first() == Some(county) && qi == 2 {
                featured_inspection = Some(ins.id);
            }
        }
    }

    // The municipal bureau's spot-check draw of this month.
    let round = day::format(today).get(..7).unwrap_or("").to_string();
    store
        .create_draw(
            &city,
            &round,
            &format!("青山市{round}公开摇号0457"),
            &SampleRules::default(),
            None,
            now - DAY,
        )
        .await
        .context("demo spot-check draw")?;

    // Book 3 for the featured township of 云岭县 (and a few in the second county).
    let Some(county) = featured.first().copied() else {
        return Ok(());
    };
    let Some(township) = store
        .region_children(&county)
        .await?
        .first()
        .map(|r| r.code)
    else {
        return Ok(());
    };
    let Some((dept, person)) = department(store, &township, DepartmentKind::Government).await?
    else {
        return Ok(());
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
        for (i, s) in c.steps.iter().enumerate() {
            let at_day = (overdue_from + 7 + i as i64 * 7).min(day::today(now) - 1);
            let at = now - (day::today(now) - at_day) * DAY;
            let interview = s.is_interview();
            store
                .escalate(
                    &NewEscalation {
                        problem_id: p.id,
                        step: s.key().into(),
                        document_no: format!("云纪〔{}〕{}号", day::format(at_day).get(..4).unwrap_or(""), 100 + n * 10 + i),
                        issuing_unit: if *s == Step::SuspendPayment {
                            "云岭县财政局".into()
                        } else {
                            "中共云岭县纪律检查委员会".into()
                        },
                        content: "经检查发现你单位存在上述问题，请于规定时限内完成整改并书面报告整改情况。".into(),
                        attendees: if interview {
                            "镇党委书记、镇长、分管副镇长、财政所所长".into()
                        } else {
                            String::new()
                        },
                        new_deadline: interview.then(|| day::format(day::today(now) + 3 + i as i64)),
                        responsible_person: "镇长".into(),
                        deduction_points: None,
                        proposal_id: None,
                    },
                    None,
                    at,
                )
                .await
                .context("demo escalation")?;
        }
        if c.steps.contains(&Step::DisciplineReferral)
            && let Some(r) = store.problem_record(p.id).await?
            && let Some(e) = r.escalations.last()
        {
            store
                .record_outcome(
                    e.id,
                    "已立案审查，责令退回违规资金 4.8 万元",
                    None,
                    now - 5 * DAY,
                )
                .await?;
        }
    }
    // The steps that came due are proposed, as the daily job would.
    store
        .propose_escalations(&[city], &sunledger_core::supervision::default_rules(), now)
        .await?;
    Ok(())
}
