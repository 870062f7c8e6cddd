//! The meetings that approve the demo's declarations (issue 18): each declared project cites
//! the decision of its village's representatives' meeting.
use anyhow::{Context, Result};
use sunledger_core::project::Content;
use sunledger_store::Store;
/// The village representatives' meeting that approved a declaration (issue 18), held on the
/// content's meeting day: seven representatives, six present, the project passed with five for
/// and one abstaining. Answers the decision item the declaration cites.
pub(super) async fn approve(
    store: &dyn Store,
    clock: &super::Clock,
    c: &Content,
    actor: Option<i64>,
) -> Result<i64> {
    use sunledger_core::meeting::{MeetingKind, RosterBasis, Tally};
    let day = sunledger_core::day::number(&c.meeting_on).context("the meeting's day")?;
    let at = clock.at(day);
    let m = store
        .call_meeting(
            &sunledger_store::NewMeeting {
                village: c.village,
                kind: MeetingKind::Representatives,
                basis: RosterBasis::Households,
                title: format!("村民代表会议：审议{}", c.name),
                planned_on: sunledger_core::day::format(day),
                named_votes: false,
                members: (1..=7).map(|i| format!("村民代表{i}")).collect(),
            },
            actor,
            at,
        )
        .await?;
    let r = store.meeting(m.id).await?.context("the meeting")?;
    let lines: Vec<(i64, bool)> = r.roster.iter().take(6).map(|l| (l.id, true)).collect();
    store.mark_attendance_lines(m.id, &lines, actor, at).await?;
    let item = store
        .record_item(
            m.id,
            &sunledger_store::NewItem {
                title: format!("表决：同意申报{}", c.name),
                tally: Some(Tally {
                    for_: 5,
                    against: 0,
                    abstain: 1,
                }),
                project_id: None,
                ballots: vec![],
            },
            actor,
            at,
        )
        .await?;
    Ok(item.id)
}
