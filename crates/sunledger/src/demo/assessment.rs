//! The demo's annual assessment: the city's scheme for the year (the built-in default, booked),
//! an appeal of 云岭县 against a deduction for a reminder letter, upheld by the bureau, another
//! against a detained fund, dismissed, and the ranking reviewed by the city's discipline
//! commission and published by the bureau. The counties' records differ already: 云岭县 is behind
//! on rectification and on its evaluations, and was urged by letters, an interview and a
//! suspension; the other counties have few records.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::assessment::{RoundAction, Scheme};
use sunledger_store::{NewAssessmentAppeal, Store};

const COUNTY: &str = "529121000000";

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
    // 云岭县 appeals two deductions: a reminder letter (upheld) and a detained fund (dismissed).
    let scores = store.assessment_scores(&city.code, year, at(1)).await?;
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
    let mut filed = Vec::new();
    for (item, reason, evidence) in [
        (
            "2.1",
            "该提醒函所督办问题在提醒函发出前已整改，系督办台账登记滞后",
            "县扶贫局整改报告及乡镇验收记录",
        ),
        (
            "3.1",
            "资金滞留系项目实施方案调整所致，已报市局备案",
            "县政府常务会议纪要",
        ),
    ] {
        let Some(row_key) = loss(item) else { continue };
        filed.push(
            store
                .file_assessment_appeal(
                    &NewAssessmentAppeal {
                        county,
                        year,
                        item: item.into(),
                        row_key,
                        reason: reason.into(),
                        evidence: evidence.into(),
                        actor: Some(party),
                    },
                    at(1),
                )
                .await?,
        );
    }
    let mut decisions = [
        (
            true,
            "经核实，问题已于提醒函发出前整改到位，申诉成立，恢复扣分",
        ),
        (false, "备案不改变资金滞留的事实，申诉不成立，维持扣分"),
    ]
    .into_iter();
    for a in &filed {
        if let Some((uphold, reason)) = decisions.next() {
            store
                .decide_assessment_appeal(a.id, uphold, reason, Some(bureau), at(1) + 3600)
                .await?;
        }
    }
    anyhow::ensure!(!filed.is_empty(), "云岭县 has no deduction to appeal");
    store
        .assessment_round_step(
            &city.code,
            year,
            RoundAction::Review,
            "",
            Some(discipline),
            city.now - 3600,
        )
        .await?;
    store
        .assessment_round_step(
            &city.code,
            year,
            RoundAction::Publish,
            "",
            Some(bureau),
            city.now - 1800,
        )
        .await?;
    Ok(())
}
