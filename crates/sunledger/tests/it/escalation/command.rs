//! `sunledger escalate`.
use super::*;
/// `sunledger escalate` lists the due steps (`--dry-run` records nothing) and records each
/// proposal once.
async fn escalate_command(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let (dept_id, _) = dept(s, T, DepartmentKind::Government, "金坪镇人民政府").await;
    let t0 = now() - 40 * DAY;
    let p = s
        .create_problem(
            &NewProblem {
                region: rc(T),
                inspection_id: None,
                project_id: None,
                review_of: None,
                category: ProblemCategory::Objectives,
                severity: Severity::General,
                title: "目标任务未完成".into(),
                description: "x".into(),
                department_id: dept_id,
                person_id: None,
                amount: Money::from_fen(0),
                deadline: sunledger_core::day::format(sunledger_core::day::today(t0) + 10),
                deadline_reason: None,
            },
            None,
            t0,
        )
        .await
        .unwrap();
    let (code, out, err) = crate::support::sunledger(&db, &["escalate", "--dry-run"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("{}\t", p.id))
            && out.contains("reminder_letter")
            && out.contains("dry run"),
        "{out}"
    );
    let (_, out, _) = crate::support::sunledger(&db, &["escalate", "--region", K2], None);
    assert!(out.contains("no escalation step is due"), "{out}");
    let (code, out, _) = crate::support::sunledger(&db, &["escalate"], None);
    assert_eq!(code, 0);
    assert!(out.contains("1 new proposal"), "{out}");
    let (_, out, _) = crate::support::sunledger(&db, &["escalate"], None);
    assert!(out.contains("0 new proposal"), "{out}");
    let r = s.problem_record(p.id).await.unwrap().unwrap();
    assert_eq!(r.proposals.len(), 1);
    assert_eq!(r.proposals[0].step, "reminder_letter");
    assert!(r.proposals[0].decision.is_none());
}
both!(escalate_lists_and_proposes, escalate_command);
