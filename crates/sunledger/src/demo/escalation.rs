//! The demo's escalations: the steps of the ladder taken on Book 3 problems, a referral's
//! outcome, and the proposals the daily job would make.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::day;
use sunledger_core::escalation::Step;
use sunledger_store::{NewEscalation, Store};

/// Takes `steps` on problem `problem_id` (the `n`th demo case), a week apart from a week after
/// its deadline (`overdue_from`), and records the outcome of a discipline referral.
pub(super) async fn book(
    store: &dyn Store,
    now: i64,
    n: usize,
    problem_id: i64,
    overdue_from: i64,
    steps: &[Step],
) -> Result<()> {
    for (i, s) in steps.iter().enumerate() {
        let at_day = (overdue_from + 7 + i as i64 * 7).min(day::today(now) - 1);
        let at = now - (day::today(now) - at_day) * DAY;
        let interview = s.is_interview();
        store
            .escalate(
                &NewEscalation {
                    problem_id,
                    step: s.key().into(),
                    document_no: format!(
                        "云纪〔{}〕{}号",
                        day::format(at_day).get(..4).unwrap_or(""),
                        100 + n * 10 + i
                    ),
                    issuing_unit: if *s == Step::SuspendPayment {
                        "云岭县财政局".into()
                    } else {
                        "中共云岭县纪律检查委员会".into()
                    },
                    content:
                        "经检查发现你单位存在上述问题，请于规定时限内完成整改并书面报告整改情况。"
                            .into(),
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
    if steps.contains(&Step::DisciplineReferral)
        && let Some(r) = store.problem_record(problem_id).await?
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
    Ok(())
}

/// The steps that came due are proposed, as the daily job would.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    store
        .propose_escalations(
            &[city.code],
            &sunledger_core::escalation::default_rules(),
            city.now,
        )
        .await?;
    Ok(())
}
