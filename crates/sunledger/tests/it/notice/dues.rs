//! The notices that fall due: each allocation booked in Book 1 calls for a fund allocation notice
//! within 15 working days; the notice answering it is found by its source.
use super::*;
use crate::ledger::{DAY as BOOKED_ON, new_fund, nt, project as book1_project, reg, rev, yuan};
use sunledger_core::day::Calendar;
use sunledger_core::ledger::TransferKind;
use sunledger_store::DueEvent;

const OTHER_K: &str = "529122";
const OTHER_T: &str = "529122100";

fn allocation_fields() -> BTreeMap<String, String> {
    map(&[
        ("title", "2026年第一批衔接资金分配结果公告"),
        ("channels", "监督电话 0871-12317"),
        ("fund_source", "中央财政衔接推进乡村振兴补助资金"),
        ("amount", "30000"),
        ("use", "产业发展"),
        ("using_unit", "云岭乡人民政府"),
        ("principle", "因素法分配"),
        ("result", "云岭乡 30000 元"),
    ])
}

fn allocations(dues: &[DueEvent]) -> Vec<&DueEvent> {
    dues.iter()
        .filter(|d| d.kind == "fund_allocation")
        .collect()
}

/// The sources of the fund allocation dues, sorted.
fn sources(dues: &[DueEvent]) -> Vec<String> {
    let mut v: Vec<String> = allocations(dues).iter().map(|d| d.source.clone()).collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The due of `source`.
fn due_of(dues: &[DueEvent], source: &str) -> DueEvent {
    allocations(dues)
        .into_iter()
        .find(|d| d.source == source)
        .cloned()
        .unwrap_or_else(|| panic!("a due for {source} in {dues:?}"))
}

async fn allocations_fall_due(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let (fund, receive) = s
        .create_fund(&new_fund("n-fund", K, yuan(100_000)), NOW)
        .await
        .unwrap();
    let book = |t| async move { s.book_transfer(&t, NOW).await.unwrap() };
    let a1 = book(nt(
        "n-a1",
        fund.id,
        TransferKind::Appropriate,
        reg(K),
        reg(T),
        yuan(30_000),
    ))
    .await;
    s.confirm_receipt(a1.id, BOOKED_ON, None, NOW)
        .await
        .unwrap();
    let a2 = book(nt(
        "n-a2",
        fund.id,
        TransferKind::Appropriate,
        reg(T),
        reg(V),
        yuan(10_000),
    ))
    .await;
    let road = book1_project(s, T, "乡村道路硬化").await;
    let ar = book(nt(
        "n-ar",
        fund.id,
        TransferKind::Arrange,
        reg(T),
        Some(sunledger_store::Owner::Project(road)),
        yuan(5_000),
    ))
    .await;
    // Another county's allocation.
    let (other_fund, _) = s
        .create_fund(&new_fund("n-fund2", OTHER_K, yuan(50_000)), NOW)
        .await
        .unwrap();
    let b1 = book(nt(
        "n-b1",
        other_fund.id,
        TransferKind::Appropriate,
        reg(OTHER_K),
        reg(OTHER_T),
        yuan(20_000),
    ))
    .await;

    let t = |id: i64| format!("transfer:{id}");
    let dues = s.notice_dues(&[rc(K)]).await.unwrap();
    assert_eq!(
        sources(&dues),
        sorted(vec![t(a1.id), t(a2.id), t(ar.id)]),
        "appropriations and arrangements call for a notice; the receipt of the fund does not: {dues:?}"
    );
    assert!(!sources(&dues).contains(&t(receive.id)));
    let d1 = due_of(&dues, &t(a1.id));
    assert_eq!(
        (d1.region, d1.event_on.as_str(), d1.amount_fen),
        (rc(T), BOOKED_ON, Some(yuan(30_000)))
    );
    assert_eq!(d1.label, fund.name);
    assert!(!d1.region_name.is_empty());
    assert_eq!(
        (
            d1.notice_id,
            d1.notice_state.as_deref(),
            d1.published_on.as_deref()
        ),
        (None, None, None)
    );
    assert_eq!(due_of(&dues, &t(a2.id)).region, rc(V));
    assert_eq!(
        due_of(&dues, &t(ar.id)).region,
        rc(T),
        "the project's account"
    );
    // Scopes: a township sees its own and its villages', not another county's.
    assert_eq!(
        sources(&s.notice_dues(&[rc(V)]).await.unwrap()),
        vec![t(a2.id)]
    );
    assert_eq!(
        sources(&s.notice_dues(&[rc(OTHER_K)]).await.unwrap()),
        vec![t(b1.id)]
    );
    assert!(s.notice_dues(&[]).await.unwrap().is_empty());

    // Within 15 working days of the booking: 2026-03-02 is a Monday, three weeks later.
    let rule = sunledger_core::notice::kind("fund_allocation").unwrap();
    let due = rule.due.unwrap();
    assert_eq!(due.working_days, 15);
    let cal = Calendar::china();
    let booked = day::number(&d1.event_on).unwrap();
    let by = sunledger_core::notice::due_on(&cal, &due, booked);
    assert_eq!(day::format(by), "2026-03-23");
    assert_eq!(cal.working_days_between(booked, by), 15);

    // A draft answering it, then published.
    let n = s
        .draft_notice(
            &NewNotice {
                source: Some(t(a1.id)),
                ..new_notice(T, "fund_allocation", allocation_fields())
            },
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(n.source, Some(t(a1.id)));
    let d1 = due_of(&s.notice_dues(&[rc(K)]).await.unwrap(), &t(a1.id));
    assert_eq!(
        (d1.notice_id, d1.notice_state.as_deref(), d1.published_on),
        (Some(n.id), Some("draft"), None)
    );
    s.notice_action(n.id, NoticeAction::Publish, Some(p.other), NOW)
        .await
        .unwrap();
    let d1 = due_of(&s.notice_dues(&[rc(K)]).await.unwrap(), &t(a1.id));
    assert_eq!(
        (d1.notice_id, d1.notice_state.as_deref(), d1.published_on),
        (
            Some(n.id),
            Some("published"),
            Some(day::format(day::today(NOW)))
        )
    );
    // A later draft with the same source does not take the published notice's place.
    s.draft_notice(
        &NewNotice {
            source: Some(t(a1.id)),
            ..new_notice(T, "fund_allocation", allocation_fields())
        },
        Some(p.drafter),
        NOW,
    )
    .await
    .unwrap();
    let dues = s.notice_dues(&[rc(K)]).await.unwrap();
    assert_eq!(due_of(&dues, &t(a1.id)).notice_id, Some(n.id));
    assert!(
        allocations(&dues)
            .iter()
            .all(|d| d.source == t(a1.id) || d.notice_id.is_none()),
        "the other allocations are still unanswered"
    );

    // A reversed allocation no longer calls for a notice.
    s.book_transfer(&rev("n-rev", &a2), NOW).await.unwrap();
    assert_eq!(
        sources(&s.notice_dues(&[rc(K)]).await.unwrap()),
        sorted(vec![t(a1.id), t(ar.id)])
    );
    assert!(s.notice_dues(&[rc(V)]).await.unwrap().is_empty());
}
both!(allocations_fall_due_on, allocations_fall_due);

/// A dashboard's figures come from the events counted by day (`notice_due_tally`) and only the
/// overdue ones read (`notice_dues_open`): on the demo city, at every level, they hold what the
/// full list (`notice_dues`) holds.
async fn the_tally_and_the_open_ones_agree_with_the_list(db: TestDb) {
    let s = db.store.as_ref();
    let mut scopes = vec![rc("5291")];
    for c in s.region_children(&rc("5291")).await.unwrap() {
        scopes.push(c.code);
    }
    scopes.push(rc(T));
    let mut seen_open = 0;
    for scope in scopes {
        let list = s.notice_dues(&[scope]).await.unwrap();
        let mut want: BTreeMap<(String, String, Option<String>), i64> = BTreeMap::new();
        for d in &list {
            *want
                .entry((d.kind.clone(), d.event_on.clone(), d.published_on.clone()))
                .or_default() += 1;
        }
        let got: BTreeMap<_, _> = s
            .notice_due_tally(&[scope])
            .await
            .unwrap()
            .into_iter()
            .map(|t| ((t.kind, t.event_on, t.published_on), t.count))
            .collect();
        assert_eq!(got, want, "{scope}");
        let days: std::collections::BTreeSet<(String, String)> = list
            .iter()
            .map(|d| (d.kind.clone(), d.event_on.clone()))
            .collect();
        for (kind, until) in days {
            for limit in [1i64, 3, 1000] {
                let mut open: Vec<&DueEvent> = list
                    .iter()
                    .filter(|d| d.kind == kind && d.published_on.is_none() && d.event_on <= until)
                    .collect();
                open.sort_by(|a, b| (&a.event_on, &a.source).cmp(&(&b.event_on, &b.source)));
                open.truncate(limit as usize);
                let got = s
                    .notice_dues_open(&[scope], &kind, &until, limit)
                    .await
                    .unwrap();
                seen_open += got.len();
                assert_eq!(
                    got.iter().collect::<Vec<_>>(),
                    open,
                    "{scope} {kind} until {until}, at most {limit}"
                );
            }
        }
    }
    assert!(seen_open > 0, "the demo has notices not yet published");
}

mod the_tally_agrees_with_the_list_on {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        the_tally_and_the_open_ones_agree_with_the_list(demo_db(Kind::Sqlite).await.unwrap()).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        match demo_db(Kind::Postgres).await {
            Some(db) => the_tally_and_the_open_ones_agree_with_the_list(db).await,
            None => eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half"),
        }
    }
}
