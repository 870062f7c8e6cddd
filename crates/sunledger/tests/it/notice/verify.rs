//! `verify` over the notice tables: every write above books its facts, and an edit behind the
//! application's back is named with its table and row.
use super::postings::{PNG, posting};
use super::*;
use sunledger::verify::{Finding, verify};
use sunledger_core::notice::receipt;
use sunledger_core::project::StageAction;
use sunledger_store::NewObjection;

async fn findings(db: &TestDb) -> Vec<Finding> {
    verify(db.store.as_ref(), &[test_signer().verifier()])
        .await
        .expect("verify runs")
        .findings
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blob literal on the backend of `db`.
fn blob(db: &TestDb, bytes: &[u8]) -> String {
    if db.url.starts_with("postgres") {
        format!("decode('{}', 'hex')", hex(bytes))
    } else {
        format!("X'{}'", hex(bytes))
    }
}

/// What the findings name: (subject, column).
fn named(f: &[Finding]) -> Vec<(String, Option<String>)> {
    f.iter()
        .map(|f| (f.subject.clone(), f.column.clone()))
        .collect()
}

async fn verify_covers_notices(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let checker = user(s, "notice.checker").await;
    let today = day::today(NOW);

    // Every kind of write: a draft rewritten then published, an objection answered, a posting
    // confirmed, a correction, a close, and an objection to a project under notice.
    let n = s
        .draft_notice(
            &new_notice(V, "policy", policy_without_standard()),
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    s.edit_notice(n.id, &policy_fields(), Some(p.drafter), NOW + 60)
        .await
        .unwrap();
    let n = s
        .notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW + 120)
        .await
        .unwrap();
    let o = s
        .object(
            &NewObjection {
                subject_table: "notices".into(),
                subject_id: n.id,
                content: "补贴标准与文件不符".into(),
                name: Some("王某".into()),
                phone: Some("13812345678".into()),
                receipt: receipt::from_random(0xABCDEF),
            },
            NOW + DAY,
        )
        .await
        .unwrap();
    s.answer_public_objection(o.id, "已按文件更正", Some(p.other), NOW + 2 * DAY)
        .await
        .unwrap();
    let post = s
        .record_posting(&posting(n.id, today, PNG), Some(p.drafter), NOW + DAY)
        .await
        .unwrap();
    s.confirm_posting(post.id, Some(checker), NOW + 2 * DAY)
        .await
        .unwrap();
    let c = s
        .draft_notice(
            &NewNotice {
                corrects: Some(n.id),
                ..new_notice(V, "policy", policy_fields())
            },
            Some(p.drafter),
            NOW + 2 * DAY,
        )
        .await
        .unwrap();
    s.notice_action(c.id, NoticeAction::Publish, Some(p.other), NOW + 2 * DAY)
        .await
        .unwrap();
    s.notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 10 * DAY)
        .await
        .unwrap();
    let project = s
        .create_library_project(
            &declarable(s, V, "村组道路硬化", NOW).await,
            true,
            None,
            NOW,
        )
        .await
        .unwrap();
    s.project_step(project.id, StageAction::TownshipApprove, "", None, NOW)
        .await
        .unwrap();
    s.object(
        &NewObjection {
            subject_table: "projects".into(),
            subject_id: project.id,
            content: "选址占用基本农田".into(),
            name: None,
            phone: None,
            receipt: receipt::from_random(0x123456),
        },
        NOW + DAY,
    )
    .await
    .unwrap();

    sunledger_store::log::sign_checkpoint(s, &test_signer(), NOW + 10 * DAY)
        .await
        .unwrap();
    assert_eq!(
        named(&findings(&db).await),
        vec![],
        "a clean database verifies"
    );

    // A published notice's text rewritten behind the application's back.
    raw_sql(
        &db,
        &format!(
            "UPDATE notices SET fields = '{{\"title\":\"已更正\"}}' WHERE id = {}",
            n.id
        ),
    )
    .await;
    let f = findings(&db).await;
    let subject = format!("notices/{}", n.id);
    assert_eq!(
        named(&f),
        vec![
            (subject.clone(), Some("fields".into())),
            (subject.clone(), Some("content_sha256".into())),
        ],
        "the booked fields and the derived hash, of that notice only"
    );
    assert!(f[0].detail.contains("已更正"), "{}", f[0].detail);
    // Put back as it was: clean again.
    let fields = serde_json::to_string(&n.fields).unwrap();
    assert!(!fields.contains('\''));
    raw_sql(
        &db,
        &format!("UPDATE notices SET fields = '{fields}' WHERE id = {}", n.id),
    )
    .await;
    assert_eq!(named(&findings(&db).await), vec![], "restored");

    // A posting's photo swapped.
    let mut other = PNG.to_vec();
    other.push(0);
    raw_sql(
        &db,
        &format!(
            "UPDATE notice_postings SET photo = {} WHERE id = {}",
            blob(&db, &other),
            post.id
        ),
    )
    .await;
    let f = findings(&db).await;
    let subject = format!("notice_postings/{}", post.id);
    assert_eq!(
        named(&f),
        vec![
            (subject.clone(), Some("photo".into())),
            (subject.clone(), Some("photo_sha256".into())),
        ],
        "the booked photo hash and the derived one, of that posting only"
    );
    raw_sql(
        &db,
        &format!(
            "UPDATE notice_postings SET photo = {} WHERE id = {}",
            blob(&db, PNG),
            post.id
        ),
    )
    .await;
    assert_eq!(named(&findings(&db).await), vec![], "restored");

    // An objection's answer softened, and a notice's state pushed back to draft.
    raw_sql(
        &db,
        &format!(
            "UPDATE public_objections SET answer = '不予答复' WHERE id = {}",
            o.id
        ),
    )
    .await;
    raw_sql(
        &db,
        &format!("UPDATE notices SET state = 'draft' WHERE id = {}", c.id),
    )
    .await;
    // The objector's phone changed: the fact holds one hash of name and phone, and the finding
    // names both columns it is taken over.
    raw_sql(
        &db,
        &format!(
            "UPDATE public_objections SET phone = '13812345679' WHERE id = {}",
            o.id
        ),
    )
    .await;
    let f = named(&findings(&db).await);
    assert!(
        f.contains(&(format!("public_objections/{}", o.id), Some("answer".into()))),
        "{f:?}"
    );
    assert!(
        f.contains(&(format!("notices/{}", c.id), Some("state".into()))),
        "{f:?}"
    );
    for column in ["phone", "name"] {
        assert!(
            f.contains(&(format!("public_objections/{}", o.id), Some(column.into()))),
            "{column} in {f:?}"
        );
    }
    assert_eq!(f.len(), 4, "{f:?}");
}
both!(verify_covers_notices_on, verify_covers_notices);
