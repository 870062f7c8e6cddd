//! Overdue Book 4 steps (issue 17) through the store, on both backends: an application the
//! county team has not inspected within the county's inspection days, and an evaluation not
//! reviewed by its due day, are counted on the dashboards of their subtree (not of another
//! county), proposed on the ladder's first rung once, with the rule and its source, and leave
//! both once the step is done.
use super::*;
use sunledger_core::acceptance::Rules;
use sunledger_core::project::{StageAction, StatusAction};
use sunledger_store::{OverdueDecision, OverdueProposal};

/// A library project of `village` declared at `t0`, approved by the county after its notice
/// period and completed 20 days after `t0`.
async fn completed(s: &dyn Store, village: &RegionCode, name: &str, t0: i64) -> i64 {
    let p = s
        .create_library_project(
            &declarable(s, village.as_str(), name, t0).await,
            true,
            None,
            t0,
        )
        .await
        .unwrap();
    s.project_step(p.id, StageAction::TownshipApprove, "", None, t0)
        .await
        .unwrap();
    s.project_step(p.id, StageAction::CountyApprove, "", None, t0 + 10 * DAY)
        .await
        .unwrap();
    let m = s
        .add_milestone(p.id, "完工", 100, None, None, t0 + 10 * DAY)
        .await
        .unwrap();
    s.project_status_step(p.id, StatusAction::Start, "", None, t0 + 11 * DAY)
        .await
        .unwrap();
    let done = sunledger_core::day::format(sunledger_core::day::today(t0 + 20 * DAY));
    s.report_progress(m.id, 100, &done, "完工", None, t0 + 20 * DAY)
        .await
        .unwrap();
    s.project_status_step(p.id, StatusAction::Complete, "", None, t0 + 20 * DAY)
        .await
        .unwrap();
    p.id
}

async fn counts(s: &dyn Store, region: &str, t: i64) -> (i64, i64) {
    let got = s
        .region_summary(&rc(region), sunledger_core::day::today(t))
        .await
        .unwrap();
    (got.overdue_acceptances, got.overdue_evaluations)
}

async fn open_of(s: &dyn Store, region: &str, t: i64) -> Vec<OverdueProposal> {
    s.open_overdue_proposals(&[rc(region)], t).await.unwrap()
}

async fn overdue_steps_are_proposed(db: TestDb) {
    let s = db.store.as_ref();
    let villages = setup(s).await;
    let (v, foreign_v) = (villages[0], villages[3]);
    let t = now();
    let t0 = t - 200 * DAY;
    let a_pid = completed(s, &v, "逾期验收的道路", t0).await;
    let b_pid = completed(s, &foreign_v, "邻县逾期验收的水窖", t0).await;
    let c_pid = completed(s, &v, "已验收的大棚", t0).await;
    // Applied 90 days ago, prechecked, the team formed: not inspected.
    let (a, team) = crate::support::book4_team(s, a_pid, t - 90 * DAY).await;
    crate::support::book4_team(s, b_pid, t - 90 * DAY).await;
    // Applied long ago too, but inspected 4 days later and accepted.
    crate::support::accept_through_book4(s, c_pid, t - 150 * DAY).await;
    // Its evaluation on acceptance reviewed in time (the later ones are not due yet).
    crate::support::evaluate_through_book4(s, c_pid, t - 130 * DAY).await;

    // The county's own rules decide: 120 days leave the application in time...
    let rules = |days: i64| Rules {
        inspection_days: days,
        ..Rules::default()
    };
    s.set_acceptance_rules(K, &rules(120), "云岭县验收办法（试行）", None, t)
        .await
        .unwrap();
    assert_eq!(counts(s, K, t).await, (0, 0));
    assert_eq!(counts(s, K2, t).await, (1, 0), "the neighbour keeps 60");
    assert!(s.overdue_steps(&[rc(K)], t).await.unwrap().is_empty());
    // ...30 make it overdue since day 30, with the rule and its source.
    s.set_acceptance_rules(K, &rules(30), "云岭县验收办法（修订）", None, t)
        .await
        .unwrap();
    assert_eq!(counts(s, K, t).await, (1, 0));
    assert_eq!(counts(s, v.as_str(), t).await, (1, 0));
    assert_eq!(counts(s, CITY, t).await, (2, 0));
    assert_eq!(counts(s, foreign_v.as_str(), t).await, (1, 0));
    let due = s.overdue_steps(&[rc(K)], t).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (due[0].source.as_str(), due[0].source_id),
        ("acceptance", a.id)
    );
    assert_eq!(due[0].days_over, 60);
    assert!(
        due[0].basis.contains("inspection_days=30") && due[0].basis.contains("（修订）"),
        "{}",
        due[0].basis
    );
    // The list's filter agrees with the dashboard.
    let (listed, n) = s
        .acceptances(
            &sunledger_store::AcceptanceFilter {
                scopes: vec![rc(K)],
                overdue_on: Some(sunledger_core::day::format(sunledger_core::day::today(t))),
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert_eq!((n, listed[0].id), (1, a.id));
    // The neighbour's default comes with its source.
    let theirs = s.overdue_steps(&[rc(K2)], t).await.unwrap();
    assert!(
        theirs[0].basis.contains("inspection_days=60")
            && theirs[0]
                .basis
                .contains("sunledger_core::acceptance::Rules"),
        "{}",
        theirs[0].basis
    );

    // Proposed once, on the ladder's first rung; the neighbour does not see it.
    let made = s.propose_overdue(&[rc(K)], t).await.unwrap();
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(
        (
            made[0].source.as_str(),
            made[0].step.as_str(),
            made[0].project_id
        ),
        ("acceptance", "reminder_letter", a_pid)
    );
    assert!(
        s.propose_overdue(&[rc(K)], t + DAY)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(open_of(s, K, t).await.len(), 1);
    assert!(open_of(s, K2, t).await.is_empty());

    // Inspected: no longer overdue, counted or proposed.
    s.inspect_acceptance(
        a.id,
        &sunledger_store::NewAcceptanceInspection {
            inspected_on: sunledger_core::day::format(sunledger_core::day::today(t)),
            passed: vec![true; sunledger_core::acceptance::CHECKS.len()],
            grade: sunledger_core::acceptance::Grade::Qualified,
            findings: "合格".into(),
            deadline: None,
        },
        Some(team[2]),
        t,
    )
    .await
    .unwrap();
    assert_eq!(counts(s, K, t).await, (0, 0));
    assert!(s.overdue_steps(&[rc(K)], t).await.unwrap().is_empty());
    assert!(open_of(s, K, t).await.is_empty());
    assert!(s.propose_overdue(&[rc(K)], t).await.unwrap().is_empty());

    // The accepted project's evaluations (scheduled at acceptance): year 1 moved past its due
    // day (written directly, as if a year had gone by), year 2 not yet due.
    let today = sunledger_core::day::today(t);
    for (year, due) in [(1, today - 10), (2, today + 30)] {
        raw_sql(
            &db,
            &format!(
                "UPDATE evaluations SET due_on = '{}' WHERE project_id = {c_pid} AND year = {year}",
                sunledger_core::day::format(due)
            ),
        )
        .await;
    }
    assert_eq!(counts(s, K, t).await, (0, 1));
    assert_eq!(counts(s, K2, t).await, (1, 0));
    let made = s.propose_overdue(&[rc(K)], t).await.unwrap();
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(
        (made[0].source.as_str(), made[0].project_id),
        ("evaluation", c_pid)
    );
    assert!(made[0].basis.contains("year=1"), "{}", made[0].basis);
    assert!(open_of(s, K2, t).await.is_empty());
    // Dismissed with a reason (once); a confirmation names a problem on the same project.
    let id = made[0].id;
    let e = s
        .decide_overdue_proposal(
            id,
            &OverdueDecision::Dismiss { reason: " ".into() },
            None,
            t,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Rule(_)), "{e:?}");
    let d = s
        .decide_overdue_proposal(
            id,
            &OverdueDecision::Dismiss {
                reason: "评价已在进行，下周完成".into(),
            },
            None,
            t,
        )
        .await
        .unwrap();
    assert_eq!(d.decision.as_deref(), Some("dismissed"));
    assert!(open_of(s, K, t).await.is_empty());
    let e = s
        .decide_overdue_proposal(
            id,
            &OverdueDecision::Dismiss {
                reason: "again".into(),
            },
            None,
            t,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "not_an_open_proposal");
    // Reviewed: no longer counted.
    raw_sql(
        &db,
        &format!(
            "UPDATE evaluations SET state = 'reviewed' WHERE project_id = {c_pid} AND year = 1"
        ),
    )
    .await;
    assert_eq!(counts(s, K, t).await, (0, 0));
}
both!(overdue_steps_are_proposed, overdue_steps_are_proposed);

/// The demo's overdue application of 云岭县 through the real server: on the county dashboard
/// with its name and the link to the list, proposed and listed for the county's discipline
/// commission (not for 石门县), decided once by those who may take the step.
async fn overdue_on_the_web(app: TestApp) {
    let s = app.db.store.as_ref();
    let t = sunledger_web::Clock::now(&*app.clock);
    let roots: Vec<_> = s
        .region_roots()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    let made = s.propose_overdue(&roots, t).await.unwrap();
    let ours = made
        .iter()
        .find(|o| o.region.county_code() == K)
        .expect("the demo's overdue application in 云岭县");
    assert_eq!(ours.source, "acceptance");
    let discipline = app.signed_in("yunling.discipline").await;
    let bureau = app.signed_in("yunling.bureau").await;
    for (lang, name) in [("zh-CN", "验收逾期"), ("en", "Acceptance overdue")] {
        let html = bureau
            .get(app.url(&format!("/regions/{K}/summary?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("/acceptances?overdue=1&amp;region={K}")),
            "{html}"
        );
        assert!(html.contains("/evaluations?overdue=1"), "{html}");
        assert!(html.contains(name), "{lang}: {html}");
        assert!(!html.contains(">overdue_source."), "a raw key");
        assert_no_catalogue_keys(&html);
    }
    let listed: serde_json::Value = discipline
        .get(app.url("/api/v1/overdue-proposals"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"].as_i64() == Some(ours.id)),
        "{listed}"
    );
    let foreign = app.signed_in("shimen.finance").await;
    let theirs: serde_json::Value = foreign
        .get(app.url("/api/v1/overdue-proposals"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !theirs
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"].as_i64() == Some(ours.id)),
        "{theirs}"
    );
    let url = app.url(&format!("/api/v1/overdue-proposals/{}/decide", ours.id));
    let body = serde_json::json!({"decision": "dismissed", "reason": "验收组已成立，下周验收"});
    // Not the township's to decide; an unknown decision is refused by name.
    let township = app.signed_in("yunling.township").await;
    let r = township.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = discipline
        .post(&url)
        .json(&serde_json::json!({"decision": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = discipline.post(&url).json(&body).send().await.unwrap();
    let v = json_of(r, 200).await;
    assert_eq!(v["decision"], "dismissed");
    let r = discipline.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
}
crate::both_app!(overdue_on_the_web, overdue_on_the_web);
