//! The demo's village meetings: the featured village's representatives' meeting on next year's
//! projects failed its quorum once (20 of 31; its vote void) and was held again a week later (25
//! present, the project passed), with minutes confirmed by attendees; and the village committee
//! deciding by named vote (each member's ballot booked apart from the tally, never public).
use super::City;
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::meeting::{Ballot, MeetingKind, RosterBasis, Tally};
use sunledger_store::{NewItem, NewMeeting, Store};

const DAY: i64 = 86_400;
const VILLAGE: &str = "529121100201";

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let cadre = store
        .user_by_username("yunling.village")
        .await?
        .map(|u| u.id)
        .context("demo account yunling.village")?;
    let today = sunledger_core::day::today(city.now);
    let at = |day: i64| city.now - (today - day).max(0) * DAY;
    let members: Vec<String> = (1..=31).map(|i| format!("村民代表{i:02}")).collect();
    let item = |present: u32, f: u32| NewItem {
        title: "表决：2027年度村组道路硬化项目申报".into(),
        tally: Some(Tally {
            for_: f,
            against: present - f - 1,
            abstain: 1,
        }),
        project_id: None,
        ballots: vec![],
    };
    for (k, (day, present, votes)) in [(today - 20, 20u32, 18u32), (today - 13, 25, 21)]
        .into_iter()
        .enumerate()
    {
        let m = store
            .call_meeting(
                &NewMeeting {
                    village: RegionCode::parse(VILLAGE)?,
                    kind: MeetingKind::Representatives,
                    basis: RosterBasis::Households,
                    title: if k == 0 {
                        "村民代表会议：审议2027年度项目".into()
                    } else {
                        "村民代表会议（重新召开）：审议2027年度项目".into()
                    },
                    planned_on: sunledger_core::day::format(day),
                    named_votes: false,
                    members: members.clone(),
                },
                Some(cadre),
                at(day - 3),
            )
            .await?;
        let r = store.meeting(m.id).await?.context("the meeting")?;
        for line in r.roster.iter().take(present as usize) {
            store
                .mark_attendance(m.id, line.id, true, Some(cadre), at(day))
                .await?;
        }
        store
            .record_item(m.id, &item(present, votes), Some(cadre), at(day))
            .await?;
        let minutes = if k == 0 {
            format!("应到代表31人，实到{present}人，不足三分之二，表决无效，择日重新召开。")
        } else {
            format!(
                "应到代表31人，实到{present}人。表决：同意{votes}人，通过村组道路硬化项目申报。"
            )
        };
        store
            .record_minutes(m.id, &minutes, Some(cadre), at(day))
            .await?;
        for line in r.roster.iter().take(2) {
            store.confirm_minutes(m.id, line.id, at(day + 1)).await?;
        }
    }
    // The village committee by named vote: five members, all present, 4 for and 1 against.
    let day = today - 10;
    let m = store
        .call_meeting(
            &NewMeeting {
                village: RegionCode::parse(VILLAGE)?,
                kind: MeetingKind::Committee,
                basis: RosterBasis::Households,
                title: "村民委员会会议：村组道路硬化项目实施方案".into(),
                planned_on: sunledger_core::day::format(day),
                named_votes: true,
                members: ["杨勇", "李桂芳", "王明", "赵丽", "张建国"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
            Some(cadre),
            at(day - 1),
        )
        .await?;
    let r = store
        .meeting(m.id)
        .await?
        .context("the committee meeting")?;
    for line in &r.roster {
        store
            .mark_attendance(m.id, line.id, true, Some(cadre), at(day))
            .await?;
    }
    let ballots = r
        .roster
        .iter()
        .enumerate()
        .map(|(k, line)| (line.id, if k == 3 { Ballot::Against } else { Ballot::For }))
        .collect();
    store
        .record_item(
            m.id,
            &NewItem {
                title: "表决：村组道路硬化项目实施方案".into(),
                tally: None,
                project_id: None,
                ballots,
            },
            Some(cadre),
            at(day),
        )
        .await?;
    Ok(())
}
