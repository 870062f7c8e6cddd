//! Random paths against the model.
use super::*;
/// A small deterministic generator (xorshift), so a failing case can be replayed by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the store should hold, computed with the core rules only.
struct Model {
    stage: sunledger_core::project::Stage,
    status: Option<sunledger_core::project::Status>,
    notice_from: Option<i64>,
    unanswered: Vec<i64>,
    version: i64,
    approved_version: Option<i64>,
    milestones: Vec<(i64, i64, i64)>, // (id, weight, progress)
}

/// Random sequences of steps, objections, answers, revisions, milestones and reports, on a clock
/// that moves forward by days: after every operation the store agrees with the model on whether
/// it was allowed and on the project's stage, status, notice, versions and progress.
async fn random_paths(db: TestDb) {
    use sunledger_core::project::{NoticeState, Stage, Status, rollup};
    let s = db.store.as_ref();
    setup(s).await;
    let cases = if std::env::var("CI").is_ok_and(|v| v == "true") {
        60
    } else {
        20
    };
    let mut reached = HashSet::new();
    for case in 0..cases {
        let seed = 0x5eed_0000 + case;
        let mut rng = Rng(seed);
        let mut t = now() - 200 * DAY;
        let declare = rng.below(2) == 0;
        // Every project cites the meeting that approved it (a draft declares later).
        let cited = declarable(s, V, &format!("随机项目{case}"), t).await;
        let p = s
            .create_library_project(&cited, declare, None, t)
            .await
            .unwrap();
        let mut m = Model {
            stage: if declare {
                Stage::Declared
            } else {
                Stage::Draft
            },
            status: None,
            notice_from: None,
            unanswered: vec![],
            version: 1,
            approved_version: None,
            milestones: vec![],
        };
        for step in 0..40 {
            t += DAY * rng.below(5) as i64;
            let today = sunledger_core::day::today(t);
            let ctx = format!("seed {seed:#x} step {step}");
            match rng.below(9) {
                0..=2 => {
                    // Mostly a step the stage allows (ignoring the notice), sometimes any step.
                    let allowed: Vec<StageAction> = StageAction::ALL
                        .iter()
                        .copied()
                        .filter(|a| {
                            let n = NoticeState {
                                from: 0,
                                unanswered: 0,
                            };
                            m.stage.next(*a, Some(n), i64::MAX / 2).is_ok()
                        })
                        .collect();
                    let a = if rng.below(4) > 0 && !allowed.is_empty() {
                        allowed[rng.below(allowed.len() as u64) as usize]
                    } else {
                        StageAction::ALL[rng.below(StageAction::ALL.len() as u64) as usize]
                    };
                    let comment = if rng.below(4) == 0 { "" } else { "意见" };
                    let notice = m.notice_from.map(|from| NoticeState {
                        from,
                        unanswered: m.unanswered.len() as u32,
                    });
                    let expect = if a.needs_comment() && comment.is_empty() {
                        None
                    } else {
                        m.stage.next(a, notice, today).ok()
                    };
                    let got = s.project_step(p.id, a, comment, None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        expect.is_some(),
                        "{ctx}: {a:?} from {:?}: {got:?}",
                        m.stage
                    );
                    if let Some(next) = expect {
                        match a {
                            StageAction::TownshipApprove => m.notice_from = Some(today),
                            StageAction::CountyApprove => {
                                m.approved_version = Some(m.version);
                                m.status = m.status.or(Some(Status::Planned));
                            }
                            _ => {}
                        }
                        m.stage = next;
                    }
                }
                3 | 8 => {
                    let cur = m.status.unwrap_or(Status::Planned);
                    let allowed: Vec<StatusAction> = StatusAction::ALL
                        .iter()
                        .copied()
                        .filter(|a| cur.next(*a, 100).is_ok())
                        .collect();
                    let a = if rng.below(4) > 0 && !allowed.is_empty() {
                        allowed[rng.below(allowed.len() as u64) as usize]
                    } else {
                        StatusAction::ALL[rng.below(StatusAction::ALL.len() as u64) as usize]
                    };
                    let progress =
                        rollup(&m.milestones.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>());
                    // Acceptance is Book 4's work: the bare step is always refused.
                    let expect = if a == StatusAction::Accept {
                        None
                    } else if m.stage.in_library() {
                        m.status.unwrap_or(Status::Planned).next(a, progress).ok()
                    } else {
                        None
                    };
                    let got = s.project_status_step(p.id, a, "", None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        expect.is_some(),
                        "{ctx}: {a:?} at {:?}: {got:?}",
                        m.status
                    );
                    if expect.is_some() {
                        m.status = expect;
                    }
                }
                4 => {
                    // An objection received today (inside the window only while noticed).
                    let got = s
                        .record_objection(
                            p.id,
                            "村民",
                            "异议",
                            &sunledger_core::day::format(today),
                            None,
                            t,
                        )
                        .await;
                    let inside = m.stage == Stage::Noticed
                        && m.notice_from.is_some_and(|f| {
                            today >= f && today < f + sunledger_core::project::NOTICE_DAYS
                        });
                    assert_eq!(got.is_ok(), inside, "{ctx}: objection: {got:?}");
                    if let Ok(o) = got {
                        m.unanswered.push(o.id);
                    }
                }
                5 => {
                    if let Some(o) = m.unanswered.pop() {
                        s.answer_objection(o, "答复", None, t).await.unwrap();
                    }
                }
                6 => {
                    let mut c = cited.clone();
                    c.targets[3].target = (1000 + step) * 100;
                    let note = if rng.below(3) == 0 { "" } else { "调整" };
                    let editable =
                        !(m.stage.editors().is_empty() || m.stage.in_library() && note.is_empty());
                    let got = s.revise_project(p.id, &c, note, None, t).await;
                    assert_eq!(
                        got.is_ok(),
                        editable,
                        "{ctx}: revise in {:?}: {got:?}",
                        m.stage
                    );
                    if got.is_ok() {
                        m.version += 1;
                    }
                }
                _ => {
                    let open =
                        matches!(m.status, None | Some(Status::Planned | Status::InProgress));
                    if rng.below(2) == 0 || m.milestones.is_empty() {
                        let w = 1 + rng.below(100) as i64;
                        let got = s.add_milestone(p.id, "节点", w, None, None, t).await;
                        assert_eq!(
                            got.is_ok(),
                            open && m.stage != Stage::Revoked,
                            "{ctx}: milestone: {got:?}"
                        );
                        if let Ok(ms) = got {
                            m.milestones.push((ms.id, w, 0));
                        }
                    } else {
                        let i = rng.below(m.milestones.len() as u64) as usize;
                        let pr = [0, 50, 100, 100][rng.below(4) as usize];
                        let got = s
                            .report_progress(
                                m.milestones[i].0,
                                pr,
                                &sunledger_core::day::format(today),
                                "",
                                None,
                                t,
                            )
                            .await;
                        let ok = m.stage.in_library()
                            && matches!(m.status, Some(Status::Planned | Status::InProgress));
                        assert_eq!(got.is_ok(), ok, "{ctx}: report: {got:?}");
                        if ok {
                            m.milestones[i].2 = pr;
                        }
                    }
                }
            }
            let stored = s.project(p.id).await.unwrap().unwrap();
            assert_eq!(stored.stage, m.stage.key(), "{ctx}");
            assert_eq!(stored.status.as_deref(), m.status.map(|x| x.key()), "{ctx}");
            assert_eq!(stored.version, m.version, "{ctx}");
            assert_eq!(stored.approved_version, m.approved_version, "{ctx}");
            assert_eq!(
                stored.notice_from,
                m.notice_from.map(sunledger_core::day::format),
                "{ctx}"
            );
            let progress = rollup(&m.milestones.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>());
            assert_eq!(stored.progress, i64::from(progress), "{ctx}");
            reached.insert(stored.stage.clone());
            reached.extend(stored.status.clone());
        }
    }
    // The walks went deep: every stage, and implementation under way.
    for want in [
        "declared",
        "returned_to_village",
        "noticed",
        "returned_to_township",
        "approved",
        "recorded",
        "revoked",
        "in_progress",
    ] {
        assert!(
            reached.contains(want),
            "no walk reached {want}: {reached:?}"
        );
    }
    let rep = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);
}
both!(random_paths_agree_with_the_model, random_paths);
