//! The demo's village affairs supervision committee: the featured village elected three members
//! at its representatives' meeting (held again, with its quorum) — the chair 罗秀英 from the mass
//! supervision team, a former bookkeeper with accounting skills, and one more; one of them left
//! to work in the city and another was elected in his place; the chair signed the posting of
//! the village's open notice.
use super::City;
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::ids::IdNumber;
use sunledger_store::{NewMember, NewTerm, Store};

const DAY: i64 = 86_400;
const VILLAGE: &str = "529121100201";

/// A valid resident ID number of the village's county born on `birth` (`YYYYMMDD`).
fn id_number(birth: &str, seq: u32) -> String {
    let body = format!("529121{birth}{seq:03}");
    let check = IdNumber::check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn member(name: &str, id: String, chair: bool, skills: &str) -> NewMember {
    NewMember {
        name: name.into(),
        id_number: id,
        person_id: None,
        chair,
        accounting: !skills.is_empty(),
        skills: skills.into(),
    }
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await?
            .map(|u| u.id)
            .with_context(|| format!("demo account {name}"))
    };
    let cadre = user("yunling.village").await?;
    let chair = user("yunling.supervisor").await?;
    let village = RegionCode::parse(VILLAGE)?;
    let today = sunledger_core::day::today(city.now);
    let at = |day: i64| city.now - (today - day).max(0) * DAY;
    let (meetings, _) = store
        .meetings(std::slice::from_ref(&village), 20, 0)
        .await?;
    let meeting = meetings
        .iter()
        .find(|m| m.quorum_met && m.held_on.is_some() && m.kind != "committee")
        .context("the featured village's quorate meeting")?;
    let held = meeting
        .held_on
        .as_deref()
        .and_then(sunledger_core::day::number)
        .context("the meeting's day")?;
    // The chair is the mass supervision team's person in the register, so she may sit on the
    // village's acceptance teams.
    let mut person = None;
    for d in store.departments_in(&village).await? {
        if d.region == village && d.kind == "mass_supervision_team" {
            person = store
                .people_in_department(d.id)
                .await?
                .iter()
                .find(|p| p.name == "罗秀英")
                .map(|p| p.id);
        }
    }
    let mut slate = vec![
        member("罗秀英", id_number("19720315", 24), true, ""),
        member(
            "陈国平",
            id_number("19660802", 13),
            false,
            "曾任村报账员 6 年",
        ),
        member("马建军", id_number("19850111", 35), false, ""),
    ];
    if let Some(slot) = slate.first_mut() {
        slot.person_id = person;
    }
    let term = store
        .elect_committee(
            &NewTerm {
                village,
                meeting_id: meeting.id,
                members: slate,
            },
            Some(cadre),
            at(held),
        )
        .await
        .context("electing the demo supervision committee")?;
    let leaving = term
        .members
        .iter()
        .find(|m| m.name == "马建军")
        .map(|m| m.id)
        .context("the member who left")?;
    store
        .end_committee_member(
            leaving,
            &sunledger_core::day::format(held + 5),
            "外出务工，本人申请辞去职务",
            Some(cadre),
            at(held + 5),
        )
        .await
        .context("a demo member leaving")?;
    store
        .add_committee_member(
            term.id,
            meeting.id,
            &member("刘桂兰", id_number("19790920", 42), false, ""),
            Some(cadre),
            at(held + 6),
        )
        .await
        .context("the demo by-election")?;
    let postings = store.village_postings(&village, 5).await?;
    let chair_id = term
        .members
        .iter()
        .find(|m| m.chair)
        .map(|m| m.id)
        .context("the chair")?;
    if let Some(p) = postings.first() {
        store
            .sign_posting(chair_id, p.posting_id, Some(chair), city.now)
            .await
            .context("the chair signing a demo posting")?;
    }
    Ok(())
}
