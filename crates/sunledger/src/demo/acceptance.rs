//! The demo's Book 4: the county's completed projects taken through acceptance. Most are
//! accepted (team of three, every signature, a posted result); one failed and was accepted on
//! re-inspection (its failure opened a Book 3 problem); one member disagreed and signed a revised
//! report; one waits for its signatures; one was applied for long ago and never prechecked nor
//! inspected (overdue); the newest completions wait where their dates leave them.
use super::City;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use sunledger_core::RegionCode;
use sunledger_core::acceptance::{CHECKS, Grade, Opinion};
use sunledger_core::notice::NoticeAction;
use sunledger_store::{NewAcceptanceInspection, NewApplication, NewNotice, ProjectFilter, Store};

const DAY: i64 = 86_400;
const COUNTY: &str = "529121";

#[derive(Clone, Copy)]
struct Clock {
    now: i64,
    today: i64,
}

impl Clock {
    fn at(&self, day: i64) -> i64 {
        self.now - (self.today - day).max(0) * DAY
    }
    fn date(&self, day: i64) -> String {
        sunledger_core::day::format(day.min(self.today))
    }
}

/// What happens to the n-th completed project.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    Accepted,
    FailedThenAccepted,
    Disagreed,
    AwaitingSignatures,
    Overdue,
}

fn plan(n: usize) -> Plan {
    match n {
        1 => Plan::FailedThenAccepted,
        2 => Plan::Disagreed,
        3 => Plan::AwaitingSignatures,
        4 => Plan::Overdue,
        _ => Plan::Accepted,
    }
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let c = Clock {
        now: city.now,
        today: sunledger_core::day::today(city.now),
    };
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await?
            .map(|u| u.id)
            .with_context(|| format!("demo account {name}"))
    };
    let township = user("yunling.township").await?;
    let village = user("yunling.village").await?;
    let finance = user("yunling.finance").await?;
    let bureau = user("yunling.bureau").await?;
    let agri = user("yunling.agri").await?;
    let party = user("yunling.party").await?;
    // 石门县 keeps 5 % until acceptance, by its own document; 云岭县 keeps the default 10 %.
    let shimen = user("shimen.finance").await?;
    store
        .set_acceptance_rules(
            "529122",
            &sunledger_core::acceptance::Rules {
                retention_percent: 5,
                ..Default::default()
            },
            "石门县扶贫开发领导小组〔2026〕3号：项目资金预留 5% 待竣工验收合格后支付",
            Some(shimen),
            c.at(c.today - 200),
        )
        .await?;
    // One application in 石门县 (its township applied; the county has not yet prechecked).
    let (shimen_done, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![RegionCode::parse("529122")?],
                status: Some("completed".into()),
                ..Default::default()
            },
            1,
            0,
        )
        .await?;
    if let Some(p) = shimen_done.first() {
        store
            .apply_acceptance(
                &NewApplication {
                    project_id: p.id,
                    application: format!("{}已完工，申请验收。", p.name),
                },
                Some(shimen),
                c.at(c.today - 5),
            )
            .await?;
    }
    let county = RegionCode::parse(COUNTY)?;
    let (projects, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![county],
                status: Some("completed".into()),
                ..Default::default()
            },
            1000,
            0,
        )
        .await?;
    // The plans go to this year's completions in order; earlier years' are simply accepted.
    let mut recent = 0;
    for p in &projects {
        let record = store
            .project_record(p.id)
            .await?
            .context("a listed project")?;
        let Some(done) = record
            .events
            .iter()
            .rev()
            .find(|e| e.action == "complete")
            .and_then(|e| sunledger_core::day::number(&e.on_date))
        else {
            continue;
        };
        let (n, plan) = if done < c.today - 365 {
            (0, Plan::Accepted)
        } else {
            recent += 1;
            (recent - 1, plan(recent - 1))
        };
        let applied = if plan == Plan::Overdue {
            c.today - 75
        } else {
            done + 3
        };
        // Completions too recent for the whole path stop where their dates leave them.
        if applied + 3 > c.today {
            continue;
        }
        let a = store
            .apply_acceptance(
                &NewApplication {
                    project_id: p.id,
                    application: format!(
                        "{}已按批复内容全部完工，资金已按进度拨付，受益名单已在村务公开栏公示，申请验收。",
                        p.name
                    ),
                },
                Some(village),
                c.at(applied),
            )
            .await
            .with_context(|| format!("applying for the acceptance of project {}", p.id))?;
        if plan == Plan::Overdue {
            // Never prechecked: the county's 60 days ran out.
            continue;
        }
        store
            .precheck_acceptance(
                a.id,
                "乡镇初验：工程量与批复一致，资料基本齐全，同意报县验收。",
                Some(township),
                c.at(applied + 3),
            )
            .await?;
        if applied + 40 > c.today {
            continue;
        }
        store
            .form_acceptance_team(
                a.id,
                &[finance, bureau, agri],
                Some(bureau),
                c.at(applied + 10),
            )
            .await?;
        let inspect =
            |round_day: i64, grade: Grade, findings: &'static str, deadline: Option<i64>| {
                let passed: Vec<bool> = CHECKS
                    .iter()
                    .map(|k| grade != Grade::Failed || *k != "quality")
                    .collect();
                let i = NewAcceptanceInspection {
                    inspected_on: c.date(round_day),
                    passed,
                    grade,
                    findings: findings.into(),
                    deadline: deadline.map(sunledger_core::day::format),
                };
                async move {
                    store
                        .inspect_acceptance(a.id, &i, Some(agri), c.at(round_day))
                        .await
                }
            };
        let sign_all = |day: i64, members: &'static [usize]| async move {
            let ids = [finance, bureau, agri];
            for m in members {
                if let Some(u) = ids.get(*m) {
                    store
                        .sign_acceptance(a.id, Opinion::Agree, "", *u, c.at(day))
                        .await?;
                }
            }
            anyhow::Ok(())
        };
        let mut day = applied + 20;
        match plan {
            Plan::FailedThenAccepted => {
                inspect(
                    day,
                    Grade::Failed,
                    "路面局部开裂，排水沟未按设计砌筑，工程质量不合格，限期整改后重新验收。",
                    Some(day + 15),
                )
                .await?;
                sign_all(day + 1, &[0, 1, 2]).await?;
                day += 20;
                inspect(day, Grade::Qualified, "整改完成，复验合格。", None).await?;
                sign_all(day + 1, &[0, 1, 2]).await?;
            }
            Plan::Disagreed => {
                inspect(day, Grade::Excellent, "工程质量优良，资料齐全。", None).await?;
                sign_all(day, &[1, 2]).await?;
                store
                    .sign_acceptance(
                        a.id,
                        Opinion::Disagree,
                        "第二笔工程款未附监理签字，资金支付不合规定，不同意评为优质。",
                        finance,
                        c.at(day + 1),
                    )
                    .await?;
                day += 3;
                inspect(
                    day,
                    Grade::Qualified,
                    "补齐监理签字后复核：工程合格，资金支付手续完备。",
                    None,
                )
                .await?;
                sign_all(day + 1, &[0, 1, 2]).await?;
            }
            Plan::AwaitingSignatures => {
                inspect(day, Grade::Qualified, "工程合格，资料齐全。", None).await?;
                sign_all(day + 1, &[1, 2]).await?;
                continue;
            }
            _ => {
                let grade = if n % 3 == 0 {
                    Grade::Excellent
                } else {
                    Grade::Qualified
                };
                inspect(
                    day,
                    grade,
                    "建设内容与批复一致，工程质量合格，资金到位并按规定支付。",
                    None,
                )
                .await?;
                sign_all(day + 1, &[0, 1, 2]).await?;
            }
        }
        // The result is posted for 7 days through a notice of kind `acceptance`.
        let post_day = day + 3;
        if post_day + 8 > c.today {
            continue;
        }
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("title", format!("{}验收结果公示", p.name)),
            ("project_name", p.name.clone()),
            ("accepted_on", c.date(day)),
            ("team", "云岭县财政局、云岭县扶贫移民局、云岭县农业农村局".to_string()),
            ("result", "经县验收组验收，项目合格。".to_string()),
            (
                "channels",
                "对公示内容如有异议，可在公示期内向村务监督委员会或乡镇人民政府反映，也可在本页在线提交。".to_string(),
            ),
        ] {
            fields.insert(k.to_string(), v);
        }
        let notice = store
            .draft_notice(
                &NewNotice {
                    region: p.region,
                    kind: "acceptance".into(),
                    fields,
                    corrects: None,
                    source: Some(format!("project:{}", p.id)),
                },
                Some(bureau),
                c.at(post_day),
            )
            .await?;
        store
            .notice_action(
                notice.id,
                NoticeAction::Publish,
                Some(party),
                c.at(post_day),
            )
            .await?;
        store
            .post_acceptance(a.id, notice.id, Some(bureau), c.at(post_day))
            .await?;
        if plan == Plan::Disagreed {
            // Still in its posting window on the demo's day? Leave it posted.
            continue;
        }
        store
            .accept_project(
                a.id,
                "公示期满无异议，验收通过。",
                Some(bureau),
                c.at(post_day + 8),
            )
            .await?;
    }
    Ok(())
}
