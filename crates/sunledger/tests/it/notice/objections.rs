//! Objections from anyone: to a published notice in its window, and to a project under its
//! declaration notice (they block the county's approval until answered).
use super::*;
use sunledger_core::notice::receipt;
use sunledger_core::project::StageAction;
use sunledger_store::{NewObjection, PublicObjection};

fn objection(table: &str, id: i64, code: &str) -> NewObjection {
    NewObjection {
        subject_table: table.into(),
        subject_id: id,
        content: "名单中有非本村户籍人员".into(),
        name: None,
        phone: None,
        receipt: code.into(),
    }
}

fn ids(v: &[PublicObjection]) -> Vec<i64> {
    v.iter().map(|o| o.id).collect()
}

async fn objections_to_a_notice(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let n = published(s, &p, V).await;
    let today = day::today(NOW);

    // Typed in lower case with a space for the dash: stored as the code.
    let code = receipt::from_random(0x2_7A5C_93E1_0F4D);
    let typed = code.to_lowercase().replace('-', " ");
    let o = s
        .object(
            &NewObjection {
                name: Some(" 王某 ".into()),
                phone: Some("138 1234 5678".into()),
                ..objection("notices", n.id, &typed)
            },
            NOW + DAY,
        )
        .await
        .unwrap();
    assert_eq!(o.receipt, code);
    assert_eq!((o.subject_table.as_str(), o.subject_id), ("notices", n.id));
    assert_eq!(o.subject_title, "2026年产业奖补政策落实公示");
    assert_eq!(o.region, rc(V));
    assert_eq!(o.received_on, day::format(today + 1));
    assert_eq!(o.received_at, NOW + DAY);
    assert_eq!(
        (o.name.as_deref(), o.phone.as_deref()),
        (Some("王某"), Some("138 1234 5678"))
    );
    assert_eq!((o.answer.as_deref(), o.answered_at), (None, None));

    let found = s.objection_by_receipt(&code).await.unwrap().unwrap();
    assert_eq!(found, o);
    let normalised = receipt::normalise(&code.to_lowercase()).unwrap();
    assert_eq!(
        s.objection_by_receipt(&normalised)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(o.id)
    );
    assert!(
        s.objection_by_receipt(&receipt::from_random(7))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.public_objection(o.id).await.unwrap(), Some(o.clone()));
    // The same receipt twice is a conflict (the caller draws another).
    assert!(is_conflict(
        s.object(&objection("notices", n.id, &code), NOW + DAY)
            .await
    ));

    // Refusals: a bad receipt, a bad phone, empty content, a draft, after the window.
    assert_eq!(
        refusal(s.object(&objection("notices", n.id, "abc"), NOW).await),
        ("receipt", "bad_receipt")
    );
    assert_eq!(
        refusal(
            s.object(
                &NewObjection {
                    phone: Some("call me".into()),
                    ..objection("notices", n.id, &receipt::from_random(1))
                },
                NOW
            )
            .await
        )
        .0,
        "phone"
    );
    assert_eq!(
        refusal(
            s.object(
                &NewObjection {
                    content: "  ".into(),
                    ..objection("notices", n.id, &receipt::from_random(2))
                },
                NOW
            )
            .await
        )
        .0,
        "content"
    );
    let draft = s
        .draft_notice(
            &new_notice(V, "policy", policy_fields()),
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        refusal(
            s.object(
                &objection("notices", draft.id, &receipt::from_random(3)),
                NOW
            )
            .await
        ),
        ("notice", "not_open_for_objections")
    );
    // The window's last day still takes objections; the next day does not.
    let last = s
        .object(
            &objection("notices", n.id, &receipt::from_random(4)),
            NOW + 9 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(last.received_on, day::format(today + 9));
    assert_eq!(
        refusal(
            s.object(
                &objection("notices", n.id, &receipt::from_random(5)),
                NOW + 10 * DAY
            )
            .await
        ),
        ("notice", "not_open_for_objections")
    );
    assert_eq!(
        refusal(
            s.object(&objection("tenders", n.id, &receipt::from_random(6)), NOW)
                .await
        ),
        ("subject", "unknown_subject")
    );

    // Another county's notice and its objection.
    let foreign = published(s, &p, OTHER_V).await;
    let o2 = s
        .object(
            &objection("notices", foreign.id, &receipt::from_random(8)),
            NOW + DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(K)]).await.unwrap()),
        vec![o.id, last.id]
    );
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(T)]).await.unwrap()),
        vec![o.id, last.id]
    );
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(OTHER_V)]).await.unwrap()),
        vec![o2.id]
    );
    assert!(s.objections_awaiting(&[]).await.unwrap().is_empty());

    // Unanswered objections keep the notice open after its window.
    assert_eq!(
        refusal(
            s.notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 10 * DAY)
                .await
        ),
        ("objections", "objections_unanswered")
    );
    let a = s
        .answer_public_objection(o.id, "已核实，该户户籍在本村", Some(p.other), NOW + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (a.answer.as_deref(), a.answered_by, a.answered_at),
        (
            Some("已核实，该户户籍在本村"),
            Some(p.other),
            Some(NOW + 2 * DAY)
        )
    );
    assert!(is_conflict(
        s.answer_public_objection(o.id, "再次答复", Some(p.other), NOW + 3 * DAY)
            .await
    ));
    assert!(matches!(
        s.answer_public_objection(o2.id + 1000, "无此异议", Some(p.other), NOW)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        refusal(
            s.answer_public_objection(last.id, " ", Some(p.other), NOW)
                .await
        )
        .0,
        "answer"
    );
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(K)]).await.unwrap()),
        vec![last.id]
    );
    assert_eq!(
        refusal(
            s.notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 10 * DAY)
                .await
        )
        .1,
        "objections_unanswered"
    );
    s.answer_public_objection(last.id, "已复核", Some(p.drafter), NOW + 10 * DAY)
        .await
        .unwrap();
    assert!(s.objections_awaiting(&[rc(K)]).await.unwrap().is_empty());
    let closed = s
        .notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 10 * DAY)
        .await
        .unwrap();
    assert_eq!(closed.state, "closed");
    let rec = s.notice(n.id).await.unwrap().unwrap();
    assert_eq!(ids(&rec.objections), vec![o.id, last.id]);
    assert!(rec.objections.iter().all(|o| o.answer.is_some()));
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(OTHER_V)]).await.unwrap()),
        vec![o2.id],
        "the other county's is still waiting"
    );
}
both!(objections_to_a_notice_on, objections_to_a_notice);

/// The public objects to a project under its declaration notice: the county may not approve it
/// until the objection is answered.
async fn objections_to_a_project(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let project = s
        .create_library_project(
            &declarable(s, V, "村组道路硬化", NOW).await,
            true,
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(project.stage, "declared");
    // Not under notice yet.
    assert_eq!(
        refusal(
            s.object(
                &objection("projects", project.id, &receipt::from_random(10)),
                NOW
            )
            .await
        ),
        ("project", "not_under_notice")
    );
    let project = s
        .project_step(project.id, StageAction::TownshipApprove, "", None, NOW)
        .await
        .unwrap();
    assert_eq!(project.stage, "noticed");
    assert_eq!(project.notice_from, Some(day::format(day::today(NOW))));
    let o = s
        .object(
            &objection("projects", project.id, &receipt::from_random(11)),
            NOW + DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            o.subject_table.as_str(),
            o.subject_id,
            o.subject_title.as_str()
        ),
        ("projects", project.id, "村组道路硬化")
    );
    assert_eq!(o.region, rc(V));
    assert_eq!(
        ids(&s.objections_awaiting(&[rc(K)]).await.unwrap()),
        vec![o.id]
    );
    assert!(
        s.objections_awaiting(&[rc(OTHER_V)])
            .await
            .unwrap()
            .is_empty()
    );
    // After the notice period, objections are no longer taken.
    assert_eq!(
        refusal(
            s.object(
                &objection("projects", project.id, &receipt::from_random(12)),
                NOW + 10 * DAY
            )
            .await
        ),
        ("project", "not_under_notice")
    );
    // The county's approval waits for the answer.
    assert_eq!(
        refusal(
            s.project_step(
                project.id,
                StageAction::CountyApprove,
                "",
                None,
                NOW + 10 * DAY
            )
            .await
        )
        .1,
        "objections_unanswered"
    );
    let still = s.project(project.id).await.unwrap().unwrap();
    assert_eq!(still.stage, "noticed");
    s.answer_public_objection(o.id, "线路已调整", Some(p.other), NOW + 2 * DAY)
        .await
        .unwrap();
    let approved = s
        .project_step(
            project.id,
            StageAction::CountyApprove,
            "",
            None,
            NOW + 10 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(approved.stage, "approved");
    assert_eq!(
        refusal(
            s.object(
                &objection("projects", project.id, &receipt::from_random(13)),
                NOW + 10 * DAY
            )
            .await
        ),
        ("project", "not_under_notice")
    );
    assert!(s.objections_awaiting(&[rc(K)]).await.unwrap().is_empty());

    // The approval calls for a project plan notice, due from the day of the approval.
    let source = format!("project:{}", project.id);
    let dues = s.notice_dues(&[rc(K)]).await.unwrap();
    let due = dues
        .iter()
        .find(|d| d.kind == "project_plan" && d.source == source)
        .unwrap_or_else(|| panic!("a project plan due in {dues:?}"));
    assert_eq!(due.event_on, day::format(day::today(NOW + 10 * DAY)));
    assert_eq!((due.region, due.notice_id), (rc(V), None));
    assert_eq!(due.amount_fen, Some(approved.budget_total_fen));
    assert!(
        s.notice_dues(&[rc(OTHER_V)])
            .await
            .unwrap()
            .iter()
            .all(|d| d.source != source)
    );
}
both!(objections_to_a_project_on, objections_to_a_project);
