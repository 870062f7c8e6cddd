//! The demo's performance evaluations (Book 4): every evaluation of 云岭县's accepted projects
//! that has fallen due is recorded by the township (the system filling in the days, the payments
//! and the households it knows) and reviewed by the county bureau; one project's latest is left
//! overdue, one waits for its review, and one rated 差 opened a Book 3 problem.
use super::City;
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::acceptance::Operator;
use sunledger_store::{EvaluationFilter, NewEvaluationRecord, NewValue, Store};

const DAY: i64 = 86_400;
const COUNTY: &str = "529121";

/// What happens to an evaluation that has fallen due.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Recorded and reviewed: targets met, or missed with a reason.
    Reviewed,
    /// Rated 差 on review: the benefits fell far short.
    Poor,
    /// Recorded, waiting for the bureau's review.
    AwaitingReview,
    /// Never recorded although due.
    Overdue,
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let today = sunledger_core::day::today(city.now);
    let at = |day: i64| city.now - (today - day).max(0) * DAY;
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await?
            .map(|u| u.id)
            .with_context(|| format!("demo account {name}"))
    };
    let township = user("yunling.township").await?;
    let bureau = user("yunling.bureau").await?;
    let (due, _) = store
        .evaluations(
            &EvaluationFilter {
                scopes: vec![RegionCode::parse(COUNTY)?],
                overdue_on: Some(sunledger_core::day::format(today + 1)),
                ..Default::default()
            },
            1000,
            0,
        )
        .await?;
    // The plans, by project in the order of their acceptance: the first (accepted some 3½ years
    // ago) is reviewed every year; the second's latest is left overdue; the third's latest is
    // rated 差; the fourth's waits for its review; the rest are reviewed.
    let mut projects: Vec<i64> = Vec::new();
    for e in &due {
        if !projects.contains(&e.project_id) {
            projects.push(e.project_id);
        }
    }
    let latest_of = |pid: i64| {
        due.iter()
            .filter(|e| e.project_id == pid)
            .map(|e| e.id)
            .max()
    };
    let overdue = projects.get(1).and_then(|p| latest_of(*p));
    let poor = projects.get(2).and_then(|p| latest_of(*p));
    let awaiting = projects.get(3).and_then(|p| latest_of(*p));
    for e in &due {
        let plan = if Some(e.id) == overdue {
            Plan::Overdue
        } else if Some(e.id) == awaiting {
            Plan::AwaitingReview
        } else if Some(e.id) == poor {
            Plan::Poor
        } else {
            Plan::Reviewed
        };
        if plan == Plan::Overdue {
            continue;
        }
        let Some(due_day) = sunledger_core::day::number(&e.due_on) else {
            continue;
        };
        let record_day = (due_day + 12).min(today);
        let r = store
            .evaluation(e.id, at(record_day))
            .await?
            .context("a listed evaluation")?;
        let mut values = Vec::new();
        for i in &r.indicators {
            let ind = i.indicator()?;
            let known = r.known_of(i.position).map(|k| k.actual);
            let actual = match (known, plan) {
                (Some(k), _) => k,
                // Far short: half the target (or double it where less is better).
                (None, Plan::Poor) => match ind.operator {
                    Operator::AtMost => ind.target.saturating_mul(2).max(100),
                    _ => ind.target / 3,
                },
                (None, _) => ind.target,
            };
            let met = sunledger_core::acceptance::met(&ind, actual);
            let reason = if met {
                String::new()
            } else if plan == Plan::Poor {
                "合作社经营不善，产业基地大面积撂荒，带贫效果远未达到预期。".to_string()
            } else {
                "受雨季影响工期顺延，已说明情况并经乡镇确认。".to_string()
            };
            values.push(NewValue {
                actual: known.is_none().then_some(actual),
                evidence: if known.is_some() {
                    String::new()
                } else {
                    format!("{}：村级台账、入户问卷与现场核查记录", i.name)
                },
                reason,
            });
        }
        let summary = if plan == Plan::Poor {
            "项目建成后未能持续运营，受益户收入未见增加，群众满意度低。"
        } else {
            "项目运行正常，设施管护到位，受益户稳定增收，群众满意。"
        };
        store
            .record_evaluation(
                e.id,
                &NewEvaluationRecord {
                    values,
                    summary: summary.into(),
                },
                Some(township),
                at(record_day),
            )
            .await
            .with_context(|| format!("recording evaluation {}", e.id))?;
        if plan == Plan::AwaitingReview {
            continue;
        }
        let comment = if plan == Plan::Poor {
            "评价结果为差，移交问题整改台账，追究相关责任。"
        } else {
            "经审核，评价结果属实。"
        };
        store
            .review_evaluation(e.id, comment, Some(bureau), at((record_day + 5).min(today)))
            .await
            .with_context(|| format!("reviewing evaluation {}", e.id))?;
    }
    Ok(())
}
