//! Named votes: each attendee's ballot on a decision item, stored apart from the item's tally
//! (derived from them, and re-derived by `verify`), never public.

use super::*;
use sunledger_core::meeting::Ballot;

pub(super) const BALLOT_FACTS: FactTable = FactTable {
    table: "meeting_ballots",
    select: "SELECT id, county_code, item_id, roster_id, ballot, at FROM meeting_ballots",
    build: ballot_facts,
    kinds: &[("meeting.ballot", "at", &["item_id", "roster_id", "ballot"])],
    key: Key::Id,
    versioned: false,
};

/// The tally of an item with named ballots is their count (`verify`).
pub(super) const TALLY_OF_BALLOTS: Derived = Derived {
    table: "meeting_items",
    columns: &["votes_for", "votes_against", "votes_abstain"],
    rule: "a named vote's tally counts its ballots (sunledger_core::meeting::tally_of)",
    check: Check::Sql(
        "SELECT CAST(i.id AS TEXT), \
         CAST(i.votes_for AS TEXT), CAST((SELECT COUNT(*) FROM meeting_ballots b WHERE b.item_id = i.id AND b.ballot = 'for') AS TEXT), \
         CAST(i.votes_against AS TEXT), CAST((SELECT COUNT(*) FROM meeting_ballots b WHERE b.item_id = i.id AND b.ballot = 'against') AS TEXT), \
         CAST(i.votes_abstain AS TEXT), CAST((SELECT COUNT(*) FROM meeting_ballots b WHERE b.item_id = i.id AND b.ballot = 'abstain') AS TEXT) \
         FROM meeting_items i WHERE EXISTS (SELECT 1 FROM meeting_ballots b WHERE b.item_id = i.id)",
    ),
};

pub(super) const BY_ITEM: &str =
    "LEFT JOIN meeting_items i ON i.id = t.item_id LEFT JOIN meetings m ON m.id = i.meeting_id";

pub(super) fn ballot_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.ballot",
            "meeting_ballots",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("item_id", r.try_get::<i64, _>("item_id")?)
        .field("roster_id", r.try_get::<i64, _>("roster_id")?)
        .field("ballot", r.try_get::<String, _>("ballot")?),
    ])
}

/// Checks a named vote's ballots against the meeting (named-vote mode, each a present line of
/// its roster, once) and answers their tally.
pub(super) async fn check(
    tx: &mut sqlx::Transaction<'static, DB>,
    m: &Meeting,
    ballots: &[(i64, Ballot)],
) -> Result<Tally> {
    if !m.named_votes {
        return Err(invalid("ballots", "not_named_votes", ""));
    }
    let mut seen = std::collections::HashSet::new();
    for (roster_id, _) in ballots {
        if !seen.insert(*roster_id) {
            return Err(invalid(
                "ballots",
                "duplicate_ballot",
                roster_id.to_string(),
            ));
        }
        roster_line(tx, m.id, *roster_id).await?;
        let present: Option<i64> = sqlx::query(
            "SELECT present FROM meeting_attendance WHERE roster_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(roster_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        if present != Some(1) {
            return Err(invalid("ballots", "not_present", roster_id.to_string()));
        }
    }
    let list: Vec<Ballot> = ballots.iter().map(|(_, b)| *b).collect();
    Ok(rules::tally_of(&list))
}

/// Books the ballots of item `item_id` (after the item, in the same transaction).
pub(super) async fn book(
    tx: &mut sqlx::Transaction<'static, DB>,
    m: &Meeting,
    item_id: i64,
    ballots: &[(i64, Ballot)],
    now: i64,
) -> Result<()> {
    for (roster_id, b) in ballots {
        let row = sqlx::query(
            "INSERT INTO meeting_ballots (county_code, item_id, roster_id, ballot, at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(m.region.county_code())
        .bind(item_id)
        .bind(roster_id)
        .bind(b.key())
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(tx, "meeting_ballots", id).await?;
    }
    Ok(())
}

/// The named ballots of a meeting's items, by item and roster order.
pub(super) async fn of_meeting(s: &StoreImpl, meeting_id: i64) -> Result<Vec<BallotLine>> {
    sqlx::query(
        "SELECT b.item_id, b.roster_id, t.name, b.ballot FROM meeting_ballots b \
         JOIN meeting_items i ON i.id = b.item_id JOIN meeting_roster t ON t.id = b.roster_id \
         WHERE i.meeting_id = $1 ORDER BY i.position, t.position",
    )
    .bind(meeting_id)
    .fetch_all(&s.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(BallotLine {
            item_id: r.try_get("item_id")?,
            roster_id: r.try_get("roster_id")?,
            name: r.try_get("name")?,
            ballot: r.try_get("ballot")?,
        })
    })
    .collect()
}
