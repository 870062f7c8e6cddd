//! Village meetings (issue 18) through the store, on both backends: a representatives' meeting
//! of 31 decides with 21 present and not with 20; a proposal needs 11 of 21 for; a vote without
//! a quorum is void; the minutes are confirmed by attendees; `verify` re-derives the quorum and
//! the outcome and names an edited one.
pub(crate) mod web;

use crate::support::*;
use sunledger_core::meeting::{MeetingKind, RosterBasis, Tally};
use sunledger_store::prelude::*;
use sunledger_store::{NewItem, NewMeeting, StoreError};

fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

const V: &str = "529121100201";

async fn setup(s: &dyn Store) {
    let want: std::collections::HashSet<_> = rc(V).lineage().into_iter().collect();
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    s.upsert_regions(&rows, now()).await.unwrap();
}

async fn quorum_and_votes(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let t = now();
    // A villagers' meeting needs 10 days' notice.
    let early = NewMeeting {
        village: rc(V),
        kind: MeetingKind::Villagers,
        basis: RosterBasis::Adults,
        title: "村民会议".into(),
        planned_on: sunledger_core::day::format(sunledger_core::day::today(t) + 5),
        named_votes: false,
        members: vec!["张三".into()],
    };
    let e = s.call_meeting(&early, None, t).await.unwrap_err();
    assert_eq!(reason_of(&e), "notice_too_short");
    let m = s
        .call_meeting(
            &NewMeeting {
                kind: MeetingKind::Representatives,
                title: "村民代表会议：审议2027年度项目".into(),
                planned_on: sunledger_core::day::today_text(t),
                members: (1..=31).map(|i| format!("代表{i:02}")).collect(),
                ..early.clone()
            },
            None,
            t,
        )
        .await
        .unwrap();
    assert_eq!(
        (m.roster_size, m.quorum_needed, m.state.as_str()),
        (31, 21, "called")
    );
    let r = s.meeting(m.id).await.unwrap().unwrap();
    // 20 present: no quorum, a vote is void.
    for line in r.roster.iter().take(20) {
        s.mark_attendance(m.id, line.id, true, None, t + 60)
            .await
            .unwrap();
    }
    let m = s.meeting(m.id).await.unwrap().unwrap().meeting;
    assert_eq!(
        (m.present, m.quorum_met, m.state.as_str()),
        (20, false, "held")
    );
    let vote = |f: u32, present: u32| NewItem {
        title: "通过村组道路硬化项目".into(),
        tally: Some(Tally {
            for_: f,
            against: present - f,
            abstain: 0,
        }),
        project_id: None,
        ballots: vec![],
    };
    let i = s
        .record_item(m.id, &vote(20, 20), None, t + 120)
        .await
        .unwrap();
    assert_eq!(i.outcome.as_deref(), Some("void"));
    // The 21st arrives: 10 for of 21 fails, 11 passes.
    let line = r.roster[20].id;
    s.mark_attendance(m.id, line, true, None, t + 180)
        .await
        .unwrap();
    let i = s
        .record_item(m.id, &vote(10, 21), None, t + 240)
        .await
        .unwrap();
    assert_eq!(i.outcome.as_deref(), Some("failed"));
    let i = s
        .record_item(m.id, &vote(11, 21), None, t + 300)
        .await
        .unwrap();
    assert_eq!(i.outcome.as_deref(), Some("passed"));
    // More votes than people present is refused.
    let e = s
        .record_item(m.id, &vote(22, 23), None, t + 300)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "more_votes_than_present");
    // Minutes, confirmed by an attendee (not by someone absent).
    let m = s
        .record_minutes(
            m.id,
            "到会代表21人，表决通过村组道路硬化项目。",
            None,
            t + 400,
        )
        .await
        .unwrap();
    assert!(m.minutes_sha256.is_some());
    s.confirm_minutes(m.id, r.roster[0].id, t + 500)
        .await
        .unwrap();
    let e = s
        .confirm_minutes(m.id, r.roster[30].id, t + 500)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "not_present");
    let rec = s.meeting(m.id).await.unwrap().unwrap();
    assert_eq!(rec.roster[0].confirmed, m.minutes_sha256);

    // verify re-derives the quorum and the outcome, and names an edited one.
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    raw_sql(
        &db,
        &format!(
            "UPDATE meeting_items SET outcome = 'passed' WHERE id = {}",
            i.id - 1
        ),
    )
    .await;
    raw_sql(
        &db,
        &format!("UPDATE meetings SET quorum_needed = 16 WHERE id = {}", m.id),
    )
    .await;
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    let named: Vec<String> = report.findings.iter().map(|f| f.subject.clone()).collect();
    assert!(
        named.contains(&format!("meeting_items/{}", i.id - 1))
            && named.contains(&format!("meetings/{}", m.id)),
        "{named:?}"
    );
}
crate::both!(quorum_and_votes_on, quorum_and_votes);
