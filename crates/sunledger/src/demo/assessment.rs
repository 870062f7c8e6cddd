//! The demo's annual assessment: the city's scheme for the year (the built-in default, booked),
//! 石门县 criticised by name for a problem it left unrectified up the ladder (3 points off), an
//! appeal of 云岭县 against a deduction for a reminder letter, upheld by the bureau, another
//! against a detained fund (or another deduction), dismissed, and the ranking reviewed by the city's discipline
//! commission and published by the bureau. The counties' records differ otherwise too: 云岭县 is
//! behind on rectification and on its evaluations, and was urged by letters, an interview and a
//! suspension; two districts missed a quarter's inspection (`inspection.rs`); the other counties
//! have few records.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::assessment::{RoundAction, Scheme};
use sunledger_core::escalation::Step;
use sunledger_core::money::Money;
use sunledger_core::problem::{ProblemAction, ProblemCategory, Severity};
use sunledger_core::{DepartmentKind, RegionCode, day};
use sunledger_store::{NewAssessmentAppeal, NewEscalation, NewProblem, Store};

const COUNTY: &str = "529121000000";
/// 石门县, criticised by name.
const CRITICISED: &str = "529122000000";

/// 石门县's problem: 650,000 yuan of follow-up support for a resettlement site not passed down
/// by its deadline, urged by a supervision letter, an interview and a suspension of payments,
/// then criticised by name by the municipal bureau with 3 points off its assessment (seed §4).
async fn criticism(store: &dyn Store, city: &City, bureau: i64) -> Result<()> {
    let county = RegionCode::parse(CRITICISED)?;
    // Its last township: the suspension of payments the ladder books stops money to it, and
    // the demo's other 石门县 cases use the first.
    let township = store
        .region_children(&county)
        .await?
        .last()
        .map(|r| r.code)
        .context("石门县's last township")?;
    let (dept, person) = super::problem::department(store, &township, DepartmentKind::Government)
        .await?
        .context("石门县's township government")?;
    let at = |days_ago: i64| city.now - days_ago * DAY;
    let found = at(100);
    let title = "易地搬迁安置点后续扶持资金未按期拨付到村";
    let p = store
        .create_problem(
            &NewProblem {
                region: township,
                inspection_id: None,
                project_id: None,
                review_of: None,
                category: ProblemCategory::FundManagement,
                severity: Severity::Serious,
                title: title.into(),
                description: format!("{title}，涉及资金 65 万元，安置群众后续产业项目无法启动。"),
                department_id: dept,
                person_id: person,
                amount: Money::from_fen(65_000_000),
                deadline: day::format(day::today(found) + 20),
                deadline_reason: None,
            },
            None,
            found,
        )
        .await
        .context("石门县's problem")?;
    store
        .problem_action(p.id, ProblemAction::Start, "", None, found + DAY)
        .await?;
    let steps = [
        (
            Step::SupervisionLetter,
            70,
            "石纪督〔{y}〕12号",
            "中共石门县纪律检查委员会",
            None,
        ),
        (
            Step::WorkInterview,
            60,
            "石纪谈〔{y}〕5号",
            "中共石门县纪律检查委员会",
            None,
        ),
        (
            Step::SuspendPayment,
            40,
            "石财〔{y}〕33号",
            "石门县财政局",
            None,
        ),
        (
            Step::InformedCriticism,
            15,
            "青扶通〔{y}〕3号",
            "青山市扶贫移民局",
            Some(3),
        ),
    ];
    for (step, days_ago, no, unit, points) in steps {
        let when = at(days_ago);
        let year = day::today_text(when).get(..4).unwrap_or("").to_string();
        let interview = step.is_interview();
        store
            .escalate(
                &NewEscalation {
                    problem_id: p.id,
                    step: step.key().into(),
                    document_no: no.replace("{y}", &year),
                    issuing_unit: unit.into(),
                    content: if points.is_some() {
                        "石门县经督办、约谈、暂停拨付仍未整改到位，现予通报批评，并扣减年度考核分 3 分。"
                            .into()
                    } else {
                        "请责任单位于规定时限内完成整改并书面报告整改情况。".into()
                    },
                    attendees: if interview {
                        "乡党委书记、乡长、分管副乡长、财政所所长".into()
                    } else {
                        String::new()
                    },
                    new_deadline: interview.then(|| day::format(day::today(when) + 10)),
                    responsible_person: "乡长".into(),
                    deduction_points: points,
                    proposal_id: None,
                },
                points.map(|_| bureau),
                when,
            )
            .await
            .with_context(|| format!("石门县's {}", step.key()))?;
    }
    Ok(())
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await?
            .map(|u| u.id)
            .with_context(|| format!("demo account {name}"))
    };
    let bureau = user("city.bureau").await?;
    let discipline = user("city.discipline").await?;
    let party = user("yunling.party").await?;
    let year: i32 = sunledger_core::day::today_text(city.now)
        .get(..4)
        .and_then(|y| y.parse().ok())
        .context("the demo's year")?;
    let at = |days_ago: i64| city.now - days_ago * DAY;
    store
        .set_assessment_scheme(
            &city.code,
            &Scheme::default_for(year).to_document(),
            &format!("{year}年度县（市、区）巩固拓展脱贫攻坚成果监督工作考核评分表"),
            Some(bureau),
            at(2),
        )
        .await?;
    criticism(store, city, bureau).await?;
    // 云岭县 appeals two deductions: a reminder letter (upheld) and a detained fund (dismissed).
    // The demo's ledger is booked at the moment it is loaded (its business dates lie earlier), so
    // the appeals, the decisions and the publication are booked then too: a publication as of an
    // earlier moment would not see the ledger at all.
    let scores = store.assessment_scores(&city.code, year, city.now).await?;
    let card = scores
        .counties
        .iter()
        .find(|c| c.code == COUNTY)
        .map(|c| c.card.clone())
        .context("云岭县's card")?;
    let loss = |item: &str| {
        card.item(item)
            .and_then(|i| i.rows.iter().find(|r| r.points.0 < 0))
            .map(|r| r.row.key())
    };
    let county = sunledger_core::RegionCode::parse(COUNTY)?;
    // The dismissed appeal is against a detained fund, else (when the working-day clock has not
    // yet run out on the demo's day) an unconfirmed appropriation or an interview.
    let mut filed = Vec::new();
    let appeals = [
        (
            &["2.1"][..],
            "该提醒函所督办问题在提醒函发出前已整改，系督办台账登记滞后",
            "县扶贫局整改报告及乡镇验收记录",
        ),
        (
            &["3.1", "3.2", "2.2"][..],
            "相关资金、事项系项目实施方案调整所致，已报市局备案",
            "县政府常务会议纪要",
        ),
    ];
    for (items, reason, evidence) in appeals {
        let Some((item, row_key)) = items
            .iter()
            .find_map(|i| loss(i).map(|k| (i.to_string(), k)))
        else {
            continue;
        };
        filed.push(
            store
                .file_assessment_appeal(
                    &NewAssessmentAppeal {
                        county,
                        year,
                        item,
                        row_key,
                        reason: reason.into(),
                        evidence: evidence.into(),
                        actor: Some(party),
                    },
                    city.now,
                )
                .await?,
        );
    }
    let mut decisions = [
        (
            true,
            "经核实，问题已于提醒函发出前整改到位，申诉成立，恢复扣分",
        ),
        (false, "备案不改变未按期办理的事实，申诉不成立，维持扣分"),
    ]
    .into_iter();
    for a in &filed {
        if let Some((uphold, reason)) = decisions.next() {
            store
                .decide_assessment_appeal(a.id, uphold, reason, Some(bureau), city.now)
                .await?;
        }
    }
    anyhow::ensure!(filed.len() == 2, "云岭县 has no deduction to appeal");
    store
        .assessment_round_step(
            &city.code,
            year,
            RoundAction::Review,
            "",
            Some(discipline),
            city.now,
        )
        .await?;
    store
        .assessment_round_step(
            &city.code,
            year,
            RoundAction::Publish,
            "",
            Some(bureau),
            city.now,
        )
        .await?;
    Ok(())
}
