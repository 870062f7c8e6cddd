//! Public notices through the store, on both backends: drafting, publishing (four eyes, required
//! fields), the window and closing, corrections, objections from anyone (to a notice and to a
//! project under its declaration notice), postings with their photo, the notices that fall due,
//! and `verify` over the new tables.
mod dues;
mod objections;
mod postings;
mod verify;

use crate::both;
use crate::support::*;
use std::collections::{BTreeMap, HashSet};
use sunledger_core::notice::NoticeAction;
use sunledger_core::{DomainError, day};
use sunledger_store::prelude::*;
use sunledger_store::{AuthEventKind, NewAuthEvent, NewNotice, NewUser, Notice, StoreError};

/// 2026-06-01 20:00 UTC, already 2026-06-02 in Beijing (the day that counts).
const NOW: i64 = 1_780_344_000;
const DAY: i64 = 86_400;
const K: &str = "529121"; // 云岭县
const T: &str = "529121100";
const V: &str = "529121100201";
/// A village of another county (石门县).
const OTHER_V: &str = "529122100201";

/// The demo regions these tests use, with their ancestors.
async fn setup(s: &dyn Store) {
    let mut want = HashSet::new();
    for c in [K, T, V, OTHER_V] {
        want.extend(rc(c).lineage());
    }
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    s.upsert_regions(&rows, NOW).await.unwrap();
}

/// A new account (no roles: the store checks duties, not permissions).
async fn user(s: &dyn Store, name: &str) -> i64 {
    let u = s
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: format!("{name} 姓名"),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                region: rc(K),
                person_id: None,
            },
            &NewAuthEvent {
                at: NOW,
                kind: AuthEventKind::UserAdded,
                region: Some(rc(K)),
                username: Some(name.into()),
                user_id: None,
                actor_id: None,
                ip: None,
                detail: String::new(),
            },
        )
        .await
        .expect("user");
    u.id
}

/// The two people of a four-eyes step: the drafter (or recorder) and someone else.
struct People {
    drafter: i64,
    other: i64,
}

async fn people(s: &dyn Store) -> People {
    People {
        drafter: user(s, "notice.drafter").await,
        other: user(s, "notice.publisher").await,
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A policy notice's fields, all but the subsidy standard.
fn policy_without_standard() -> BTreeMap<String, String> {
    map(&[
        ("title", "2026年产业奖补政策落实公示"),
        ("channels", "监督电话 0871-12317"),
        ("content", "发展养殖业的脱贫户按标准给予奖补"),
        ("scale", "120户"),
        ("object", "脱贫户、监测户"),
        ("amount_per_household", "3,000"),
        ("fund_source", "中央财政衔接推进乡村振兴补助资金"),
    ])
}

fn policy_fields() -> BTreeMap<String, String> {
    let mut f = policy_without_standard();
    f.insert("subsidy_standard".into(), "每户 3000 元".into());
    f
}

fn new_notice(region: &str, kind: &str, fields: BTreeMap<String, String>) -> NewNotice {
    NewNotice {
        region: rc(region),
        kind: kind.into(),
        fields,
        corrects: None,
        source: None,
    }
}

/// A complete policy notice at `region`, drafted by `p.drafter` and published by `p.other` at
/// `NOW`.
async fn published(s: &dyn Store, p: &People, region: &str) -> Notice {
    let n = s
        .draft_notice(
            &new_notice(region, "policy", policy_fields()),
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    s.notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW)
        .await
        .unwrap()
}

/// The field and reason of a rule refusal (panics on anything else).
fn refusal<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, &'static str) {
    match r {
        Err(StoreError::Rule(DomainError::Invalid { field, reason, .. })) => (field, reason),
        other => panic!("expected a rule refusal, got {other:?}"),
    }
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict { .. }))
}

/// Draft → publish → close, with the refusals on the way.
async fn draft_publish_close(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let today = day::today(NOW);

    let n = s
        .draft_notice(
            &new_notice(V, "policy", policy_without_standard()),
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        (n.state.as_str(), n.drafted_by, n.published_on.as_deref()),
        ("draft", Some(p.drafter), None)
    );
    assert_eq!(
        n.fields.get("amount_per_household").map(String::as_str),
        Some("300000"),
        "money is kept in fen"
    );
    // Missing the subsidy standard: not published, whoever asks, naming the field.
    match s
        .notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW)
        .await
    {
        Err(StoreError::Rule(DomainError::Invalid { field, reason, .. })) => {
            assert_eq!((field, reason), ("subsidy_standard", "required_to_publish"))
        }
        other => panic!("expected required_to_publish, got {other:?}"),
    }
    let edited = s
        .edit_notice(n.id, &policy_fields(), Some(p.drafter), NOW + 60)
        .await
        .unwrap();
    assert_eq!(
        edited.fields.get("subsidy_standard").map(String::as_str),
        Some("每户 3000 元")
    );
    assert_ne!(
        edited.content_sha256, n.content_sha256,
        "the hash follows the fields"
    );
    assert_eq!(edited.state, "draft");

    // Four eyes: the drafter does not publish.
    assert_eq!(
        refusal(
            s.notice_action(n.id, NoticeAction::Publish, Some(p.drafter), NOW + 120)
                .await
        ),
        ("actor", "drafter_may_not_publish")
    );
    let pubd = s
        .notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW + 120)
        .await
        .unwrap();
    assert_eq!(pubd.state, "published");
    assert_eq!(pubd.published_on, Some(day::format(today)));
    assert_eq!(
        pubd.published_on.as_deref(),
        Some("2026-06-02"),
        "Beijing's day"
    );
    assert_eq!(pubd.window_days, Some(10));
    assert!(pubd.is_public());
    let w = pubd.window().unwrap();
    assert_eq!((w.from, w.last_day()), (today, today + 9));

    // A published notice is never edited.
    assert_eq!(
        refusal(
            s.edit_notice(n.id, &policy_fields(), Some(p.drafter), NOW + 180)
                .await
        ),
        ("state", "published_never_edited")
    );
    // Nor published twice.
    assert_eq!(
        refusal(
            s.notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW + 180)
                .await
        )
        .1,
        "not_allowed_in_state"
    );

    // Closing: refused on the window's last day, done the day after.
    assert_eq!(
        refusal(
            s.notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 9 * DAY)
                .await
        ),
        ("state", "window_running")
    );
    let closed = s
        .notice_action(n.id, NoticeAction::Close, Some(p.other), NOW + 10 * DAY)
        .await
        .unwrap();
    assert_eq!(closed.state, "closed");
    assert_eq!(closed.published_on, Some(day::format(today)), "kept");
    assert!(closed.is_public());

    // The record: the steps in order, each with its actor and day.
    let rec = s.notice(n.id).await.unwrap().unwrap();
    let steps: Vec<_> = rec
        .events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.from_state.as_str(),
                e.to_state.as_str(),
                e.on_date.clone(),
                e.window_days,
                e.actor_id,
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                "publish",
                "draft",
                "published",
                day::format(today),
                Some(10),
                Some(p.other)
            ),
            (
                "close",
                "published",
                "closed",
                day::format(today + 10),
                None,
                Some(p.other)
            ),
        ]
    );
    assert!(s.notice(n.id + 1000).await.unwrap().is_none());
}
both!(draft_publish_close_on, draft_publish_close);

/// Fields are checked at drafting, each refusal naming its field.
async fn fields_are_checked(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let mut with_id = policy_fields();
    with_id.insert("content".into(), "张三 522327199001011234 养殖奖补".into());
    assert_eq!(
        refusal(
            s.draft_notice(&new_notice(V, "policy", with_id), Some(p.drafter), NOW)
                .await
        ),
        ("content", "private_number")
    );
    let mut with_phone = policy_fields();
    with_phone.insert("channels".into(), "联系村主任 13812345678".into());
    assert_eq!(
        refusal(
            s.draft_notice(&new_notice(V, "policy", with_phone), Some(p.drafter), NOW)
                .await
        ),
        ("channels", "private_number")
    );
    // A masked ID number passes.
    let mut masked = policy_fields();
    masked.insert("content".into(), "张三 522327********1234 养殖奖补".into());
    let ok = s
        .draft_notice(&new_notice(V, "policy", masked), Some(p.drafter), NOW)
        .await
        .unwrap();
    // Editing a draft checks the same way.
    let mut with_id = policy_fields();
    with_id.insert("scale".into(), "身份证 52232719900101123X".into());
    assert_eq!(
        refusal(s.edit_notice(ok.id, &with_id, Some(p.drafter), NOW).await),
        ("scale", "private_number")
    );
    assert_eq!(
        refusal(
            s.draft_notice(
                &new_notice(V, "lottery", policy_fields()),
                Some(p.drafter),
                NOW
            )
            .await
        ),
        ("kind", "unknown_notice_kind")
    );
    // A region that is not in the register (a well-formed code).
    assert_eq!(
        refusal(
            s.draft_notice(
                &new_notice("529121100299", "policy", policy_fields()),
                Some(p.drafter),
                NOW
            )
            .await
        ),
        ("region", "unknown_region")
    );
    let mut unknown = policy_fields();
    unknown.insert("colour".into(), "红".into());
    assert_eq!(
        refusal(
            s.draft_notice(&new_notice(V, "policy", unknown), Some(p.drafter), NOW)
                .await
        ),
        ("fields", "unknown_field")
    );
    assert_eq!(
        refusal(
            s.draft_notice(
                &NewNotice {
                    source: Some("payment:3".into()),
                    ..new_notice(V, "policy", policy_fields())
                },
                Some(p.drafter),
                NOW
            )
            .await
        ),
        ("source", "bad_source")
    );
    // Nothing refused was written.
    let (all, total) = s
        .notices(
            &sunledger_store::NoticeFilter {
                scopes: vec![rc(K)],
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), vec![ok.id]);
}
both!(fields_are_checked_on, fields_are_checked);

/// A correction is a new notice of the same kind pointing at a published one.
async fn corrections(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let old = published(s, &p, V).await;
    let correction = |corrects: i64, kind: &str| {
        let fields = if kind == "policy" {
            let mut f = policy_fields();
            f.insert("subsidy_standard".into(), "每户 3500 元（更正）".into());
            f
        } else {
            map(&[("title", "更正"), ("channels", "12317")])
        };
        NewNotice {
            corrects: Some(corrects),
            ..new_notice(V, kind, fields)
        }
    };
    let new = s
        .draft_notice(&correction(old.id, "policy"), Some(p.drafter), NOW + DAY)
        .await
        .unwrap();
    assert_eq!(new.corrects, Some(old.id));
    let still = s.notice(old.id).await.unwrap().unwrap().notice;
    assert_eq!(
        still.corrected_by, None,
        "a draft correction corrects nothing yet"
    );

    // Not a draft, not another kind, not another county's notice.
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
            s.draft_notice(&correction(draft.id, "policy"), Some(p.drafter), NOW)
                .await
        ),
        ("corrects", "not_correctable")
    );
    assert_eq!(
        refusal(
            s.draft_notice(
                &correction(old.id, "project_implementation"),
                Some(p.drafter),
                NOW
            )
            .await
        ),
        ("corrects", "not_correctable")
    );
    let foreign = published(s, &p, OTHER_V).await;
    assert_eq!(
        refusal(
            s.draft_notice(&correction(foreign.id, "policy"), Some(p.drafter), NOW)
                .await
        ),
        ("corrects", "not_correctable")
    );
    assert_eq!(
        refusal(
            s.draft_notice(&correction(old.id + 1000, "policy"), Some(p.drafter), NOW)
                .await
        ),
        ("corrects", "unknown_notice")
    );

    s.notice_action(new.id, NoticeAction::Publish, Some(p.other), NOW + DAY)
        .await
        .unwrap();
    let old_now = s.notice(old.id).await.unwrap().unwrap().notice;
    assert_eq!(old_now.corrected_by, Some(new.id));
    assert_eq!(old_now.state, "published", "the old notice stays as it was");
    assert_eq!(old_now.fields, old.fields);
    assert_eq!(old_now.content_sha256, old.content_sha256);
    let new_now = s.notice(new.id).await.unwrap().unwrap().notice;
    assert_eq!(
        (new_now.corrects, new_now.corrected_by),
        (Some(old.id), None)
    );
}
both!(corrections_on, corrections);
