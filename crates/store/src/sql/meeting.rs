//! Village meetings: the roster frozen when called, attendance, items and their votes, minutes
//! and their confirmations; the quorum and outcomes from core `meeting`.

use super::*;
use sunledger_core::log::fact::sha256_hex;
use sunledger_core::meeting::{self as rules, MeetingKind, Outcome, RosterBasis, Tally};

mod ballot;
mod write;
use write::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "meetings",
        select: "SELECT id, county_code, region_code, kind, basis, title, called_on, planned_on, named_votes, called_by, \
                 called_at FROM meetings",
        build: meeting_facts,
        kinds: &[(
            "meeting",
            "called_at",
            &[
                "region_code",
                "kind",
                "basis",
                "title",
                "called_on",
                "planned_on",
                "named_votes",
                "called_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "meeting_roster",
        select: "SELECT id, county_code, meeting_id, position, household_id, name, at FROM meeting_roster",
        build: roster_facts,
        kinds: &[(
            "meeting.roster",
            "at",
            &["meeting_id", "position", "household_id", "name"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "meeting_attendance",
        select: "SELECT id, county_code, roster_id, present, on_date, actor_id, at FROM meeting_attendance",
        build: attendance_facts,
        kinds: &[(
            "meeting.attendance",
            "at",
            &["roster_id", "present", "on_date", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "meeting_items",
        select: "SELECT id, county_code, meeting_id, position, title, decision, project_id, votes_for, votes_against, \
                 votes_abstain, roster_size, present, actor_id, at FROM meeting_items",
        build: item_facts,
        kinds: &[(
            "meeting.item",
            "at",
            &[
                "meeting_id",
                "position",
                "title",
                "decision",
                "project_id",
                "votes_for",
                "votes_against",
                "votes_abstain",
                // The quorum the vote was taken under: the roster and those present then.
                "roster_size",
                "present",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "meeting_minutes",
        select: "SELECT id, county_code, meeting_id, minutes, actor_id, at FROM meeting_minutes",
        build: minutes_facts,
        kinds: &[(
            "meeting.minutes",
            "at",
            &["meeting_id", "minutes", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "meeting_confirmations",
        select: "SELECT id, county_code, roster_id, minutes_sha256, at FROM meeting_confirmations",
        build: confirmation_facts,
        kinds: &[(
            "meeting.confirmation",
            "at",
            &["roster_id", "minutes_sha256"],
        )],
        key: Key::Id,
        versioned: false,
    },
    ballot::BALLOT_FACTS,
];

const BY_MEETING: &str = "LEFT JOIN meetings m ON m.id = t.meeting_id";
const BY_ROSTER: &str =
    "LEFT JOIN meeting_roster x ON x.id = t.roster_id LEFT JOIN meetings m ON m.id = x.meeting_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county("meetings", "", "t.region_code", "the county of the village"),
        Derived {
            table: "meetings",
            columns: &["held_on", "state", "minutes_sha256"],
            rule: "the day of the first attendance (held from then), the latest minutes' hash",
            check: Check::Sql(
                "SELECT CAST(m.id AS TEXT), m.held_on, (SELECT MIN(a.on_date) FROM meeting_attendance a \
                 JOIN meeting_roster t ON t.id = a.roster_id WHERE t.meeting_id = m.id), m.state, \
                 CASE WHEN EXISTS (SELECT 1 FROM meeting_attendance a JOIN meeting_roster t ON t.id = a.roster_id \
                 WHERE t.meeting_id = m.id) THEN 'held' ELSE 'called' END, m.minutes_sha256, \
                 (SELECT x.minutes_sha256 FROM meeting_minutes x WHERE x.meeting_id = m.id ORDER BY x.id DESC LIMIT 1) \
                 FROM meetings m",
            ),
        },
        Derived {
            table: "meetings",
            columns: &["roster_size", "present", "quorum_needed", "quorum_met"],
            rule: "the roster frozen when called, those whose latest tick is present, and the quorum of the kind \
                   (sunledger_core::meeting::quorum)",
            check: Check::Code(quorums),
        },
        county(
            "meeting_roster",
            BY_MEETING,
            "m.region_code",
            "the county of the meeting",
        ),
        county(
            "meeting_attendance",
            BY_ROSTER,
            "m.region_code",
            "the county of the meeting",
        ),
        county(
            "meeting_items",
            BY_MEETING,
            "m.region_code",
            "the county of the meeting",
        ),
        Derived {
            table: "meeting_items",
            columns: &["outcome"],
            rule: "the vote's outcome under the quorum it was taken with (sunledger_core::meeting::decide)",
            check: Check::Code(outcomes),
        },
        county(
            "meeting_minutes",
            BY_MEETING,
            "m.region_code",
            "the county of the meeting",
        ),
        Derived {
            table: "meeting_minutes",
            columns: &["minutes_sha256"],
            rule: "SHA-256 of the minutes' text",
            check: Check::Code(minutes_hashes),
        },
        county(
            "meeting_confirmations",
            BY_ROSTER,
            "m.region_code",
            "the county of the meeting",
        ),
        county(
            "meeting_ballots",
            ballot::BY_ITEM,
            "m.region_code",
            "the county of the meeting",
        ),
        ballot::TALLY_OF_BALLOTS,
    ],
    unbooked: &[],
};

fn mismatch(
    table: &'static str,
    id: i64,
    column: &'static str,
    stored: String,
    derived: String,
    rule: &'static str,
) -> Mismatch {
    Mismatch {
        table,
        key: id.to_string(),
        column,
        stored: Some(stored),
        derived: Some(derived),
        rule,
        sources: format!("{table} {id}"),
    }
}

fn quorums(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT m.id, m.kind, m.basis, m.roster_size, m.present, m.quorum_needed, m.quorum_met, \
             (SELECT COUNT(*) FROM meeting_roster t WHERE t.meeting_id = m.id) AS roster, \
             (SELECT COUNT(*) FROM meeting_roster t WHERE t.meeting_id = m.id AND (SELECT a.present FROM meeting_attendance a \
             WHERE a.roster_id = t.id ORDER BY a.id DESC LIMIT 1) = 1) AS here FROM meetings m ORDER BY m.id",
        )
        .fetch_all(pool)
        .await?;
        let rule = "the quorum of the meeting (sunledger_core::meeting::quorum)";
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let kind = MeetingKind::parse(&r.try_get::<String, _>("kind")?).ok();
            let basis = RosterBasis::parse(&r.try_get::<String, _>("basis")?).ok();
            let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
            let (roster, here): (i64, i64) = (r.try_get("roster")?, r.try_get("here")?);
            let q = match (kind, basis) {
                (Some(k), Some(b)) => {
                    rules::quorum(&rules::Rules::default(), k, b, n(roster), n(here)).ok()
                }
                _ => None,
            };
            let derived = match q {
                Some(q) => [
                    q.roster.to_string(),
                    q.present.to_string(),
                    q.needed.to_string(),
                    i64::from(q.met).to_string(),
                ],
                None => [
                    "no quorum".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            };
            let stored = [
                r.try_get::<i64, _>("roster_size")?.to_string(),
                r.try_get::<i64, _>("present")?.to_string(),
                r.try_get::<i64, _>("quorum_needed")?.to_string(),
                r.try_get::<i64, _>("quorum_met")?.to_string(),
            ];
            let cols = ["roster_size", "present", "quorum_needed", "quorum_met"];
            for ((c, s), d) in cols.iter().zip(stored).zip(derived) {
                if s != d {
                    out.push(mismatch("meetings", id, c, s, d, rule));
                }
            }
        }
        Ok(out)
    })
}

fn outcomes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT i.id, m.kind, m.basis, i.roster_size, i.present, i.votes_for, i.votes_against, i.votes_abstain, \
             i.outcome FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id ORDER BY i.id",
        )
        .fetch_all(pool)
        .await?;
        let rule = "the vote's outcome (sunledger_core::meeting::decide)";
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
            let kind = MeetingKind::parse(&r.try_get::<String, _>("kind")?).ok();
            let basis = RosterBasis::parse(&r.try_get::<String, _>("basis")?).ok();
            let votes: (Option<i64>, Option<i64>, Option<i64>) = (
                r.try_get("votes_for")?,
                r.try_get("votes_against")?,
                r.try_get("votes_abstain")?,
            );
            let derived = match (kind, basis, votes) {
                (Some(k), Some(b), (Some(f), Some(a), Some(x))) => rules::quorum(
                    &rules::Rules::default(),
                    k,
                    b,
                    n(r.try_get("roster_size")?),
                    n(r.try_get("present")?),
                )
                .and_then(|q| {
                    rules::decide(
                        &rules::Rules::default(),
                        &q,
                        Tally {
                            for_: n(f),
                            against: n(a),
                            abstain: n(x),
                        },
                    )
                })
                .map(|o| o.key().to_string())
                .ok(),
                _ => None,
            };
            let stored: Option<String> = r.try_get("outcome")?;
            if stored != derived {
                out.push(mismatch(
                    "meeting_items",
                    id,
                    "outcome",
                    stored.unwrap_or_default(),
                    derived.unwrap_or_default(),
                    rule,
                ));
            }
        }
        Ok(out)
    })
}

fn minutes_hashes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows =
            sqlx::query("SELECT id, minutes, minutes_sha256 FROM meeting_minutes ORDER BY id")
                .fetch_all(pool)
                .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("minutes_sha256")?;
            let derived = sha256_hex(r.try_get::<String, _>("minutes")?.as_bytes());
            if stored != derived {
                out.push(mismatch(
                    "meeting_minutes",
                    id,
                    "minutes_sha256",
                    stored,
                    derived,
                    "SHA-256 of the minutes",
                ));
            }
        }
        Ok(out)
    })
}

fn meeting_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting",
            "meetings",
            r.try_get("id")?,
            r.try_get("called_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("basis", r.try_get::<String, _>("basis")?)
        .field("title", r.try_get::<String, _>("title")?)
        .field("called_on", r.try_get::<String, _>("called_on")?)
        .field("planned_on", r.try_get::<String, _>("planned_on")?)
        .field("named_votes", r.try_get::<i64, _>("named_votes")?)
        .field("called_by", r.try_get::<Option<i64>, _>("called_by")?),
    ])
}

fn roster_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.roster",
            "meeting_roster",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("meeting_id", r.try_get::<i64, _>("meeting_id")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("household_id", r.try_get::<Option<i64>, _>("household_id")?)
        .field("name", r.try_get::<String, _>("name")?),
    ])
}

fn attendance_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.attendance",
            "meeting_attendance",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("roster_id", r.try_get::<i64, _>("roster_id")?)
        .field("present", r.try_get::<i64, _>("present")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn item_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.item",
            "meeting_items",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("meeting_id", r.try_get::<i64, _>("meeting_id")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("title", r.try_get::<String, _>("title")?)
        .field("decision", r.try_get::<i64, _>("decision")?)
        .field("project_id", r.try_get::<Option<i64>, _>("project_id")?)
        .field("votes_for", r.try_get::<Option<i64>, _>("votes_for")?)
        .field(
            "votes_against",
            r.try_get::<Option<i64>, _>("votes_against")?,
        )
        .field(
            "votes_abstain",
            r.try_get::<Option<i64>, _>("votes_abstain")?,
        )
        .field("roster_size", r.try_get::<i64, _>("roster_size")?)
        .field("present", r.try_get::<i64, _>("present")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn minutes_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.minutes",
            "meeting_minutes",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("meeting_id", r.try_get::<i64, _>("meeting_id")?)
        .field("minutes", r.try_get::<String, _>("minutes")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn confirmation_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "meeting.confirmation",
            "meeting_confirmations",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("roster_id", r.try_get::<i64, _>("roster_id")?)
        .field("minutes_sha256", r.try_get::<String, _>("minutes_sha256")?),
    ])
}

const MEETING_SELECT: &str = "SELECT m.id, m.region_code, r.name AS region_name, m.kind, m.basis, m.title, m.called_on, \
    m.planned_on, m.held_on, m.named_votes, m.roster_size, m.present, m.quorum_needed, m.quorum_met, m.minutes_sha256, \
    m.state FROM meetings m JOIN regions r ON r.code = m.region_code";

fn meeting_row(r: &DbRow) -> Result<Meeting> {
    Ok(Meeting {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        kind: r.try_get("kind")?,
        basis: r.try_get("basis")?,
        title: r.try_get("title")?,
        called_on: r.try_get("called_on")?,
        planned_on: r.try_get("planned_on")?,
        held_on: r.try_get("held_on")?,
        named_votes: r.try_get::<i64, _>("named_votes")? != 0,
        roster_size: r.try_get("roster_size")?,
        present: r.try_get("present")?,
        quorum_needed: r.try_get("quorum_needed")?,
        quorum_met: r.try_get::<i64, _>("quorum_met")? != 0,
        minutes_sha256: r.try_get("minutes_sha256")?,
        state: r.try_get("state")?,
    })
}

const ITEM_COLS: &str = "id, meeting_id, position, title, decision, project_id, votes_for, votes_against, votes_abstain, \
    outcome, roster_size, present, (SELECT COUNT(*) FROM meeting_ballots b WHERE b.item_id = meeting_items.id) AS named";

fn item_row(r: &DbRow) -> Result<MeetingItem> {
    Ok(MeetingItem {
        id: r.try_get("id")?,
        meeting_id: r.try_get("meeting_id")?,
        position: r.try_get("position")?,
        title: r.try_get("title")?,
        decision: r.try_get::<i64, _>("decision")? != 0,
        project_id: r.try_get("project_id")?,
        votes_for: r.try_get("votes_for")?,
        votes_against: r.try_get("votes_against")?,
        votes_abstain: r.try_get("votes_abstain")?,
        outcome: r.try_get("outcome")?,
        roster_size: r.try_get("roster_size")?,
        present: r.try_get("present")?,
        named: r.try_get::<i64, _>("named")? > 0,
    })
}

// --- Reading --------------------------------------------------------------------------------

#[async_trait]
impl MeetingStore for StoreImpl {
    async fn call_meeting(&self, m: &NewMeeting, actor: Option<i64>, now: i64) -> Result<Meeting> {
        call(self, m, actor, now).await
    }

    async fn mark_attendance(
        &self,
        meeting_id: i64,
        roster_id: i64,
        present: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting> {
        attend(self, meeting_id, &[(roster_id, present)], actor, now).await
    }

    async fn mark_attendance_lines(
        &self,
        meeting_id: i64,
        lines: &[(i64, bool)],
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting> {
        attend(self, meeting_id, lines, actor, now).await
    }

    async fn record_item(
        &self,
        meeting_id: i64,
        n: &NewItem,
        actor: Option<i64>,
        now: i64,
    ) -> Result<MeetingItem> {
        item(self, meeting_id, n, actor, now).await
    }

    async fn record_minutes(
        &self,
        meeting_id: i64,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Meeting> {
        minutes(self, meeting_id, text, actor, now).await
    }

    async fn confirm_minutes(&self, meeting_id: i64, roster_id: i64, now: i64) -> Result<Meeting> {
        confirm(self, meeting_id, roster_id, now).await
    }

    async fn meeting(&self, id: i64) -> Result<Option<MeetingRecord>> {
        let Some(m) = self
            .one_by_id(format!("{MEETING_SELECT} WHERE m.id = $1"), id, meeting_row)
            .await?
        else {
            return Ok(None);
        };
        let roster = sqlx::query(
            "SELECT t.id, t.position, t.household_id, t.name, \
             (SELECT a.present FROM meeting_attendance a WHERE a.roster_id = t.id ORDER BY a.id DESC LIMIT 1) AS present, \
             (SELECT c.minutes_sha256 FROM meeting_confirmations c WHERE c.roster_id = t.id ORDER BY c.id DESC LIMIT 1) \
             AS confirmed FROM meeting_roster t WHERE t.meeting_id = $1 ORDER BY t.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(RosterLine {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                household_id: r.try_get("household_id")?,
                name: r.try_get("name")?,
                present: r.try_get::<Option<i64>, _>("present")? == Some(1),
                confirmed: r.try_get("confirmed")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let items = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ITEM_COLS} FROM meeting_items WHERE meeting_id = $1 ORDER BY position"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(item_row)
        .collect::<Result<Vec<_>>>()?;
        let minutes: Option<String> = sqlx::query(
            "SELECT minutes FROM meeting_minutes WHERE meeting_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let ballots = ballot::of_meeting(self, id).await?;
        Ok(Some(MeetingRecord {
            meeting: m,
            roster,
            items,
            minutes,
            ballots,
        }))
    }

    async fn meeting_item(&self, id: i64) -> Result<Option<ItemOfMeeting>> {
        let Some(item) = self
            .one_by_id(
                format!("SELECT {ITEM_COLS} FROM meeting_items WHERE id = $1"),
                id,
                item_row,
            )
            .await?
        else {
            return Ok(None);
        };
        let meeting = self
            .one_by_id(
                format!("{MEETING_SELECT} WHERE m.id = $1"),
                item.meeting_id,
                meeting_row,
            )
            .await?
            .ok_or(StoreError::NotFound("meeting"))?;
        Ok(Some(ItemOfMeeting { item, meeting }))
    }

    async fn passed_items(&self, village: &RegionCode) -> Result<Vec<ItemOfMeeting>> {
        let ids: Vec<i64> = sqlx::query(
            "SELECT i.id FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id \
             WHERE m.region_code = $1 AND i.outcome = 'passed' AND m.kind <> 'committee' ORDER BY i.id DESC LIMIT 200",
        )
        .bind(village.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(x) = self.meeting_item(id).await? {
                out.push(x);
            }
        }
        Ok(out)
    }

    async fn meetings(
        &self,
        scopes: &[RegionCode],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Meeting>, i64)> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!("{MEETING_SELECT} WHERE "));
        push_scope_filter(&mut qb, "m.region_code", scopes);
        qb.push(" ORDER BY m.called_on DESC, m.id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting_row)
            .collect::<Result<Vec<_>>>()?;
        let mut qb: QueryBuilder<DB> = QueryBuilder::new("SELECT COUNT(*) FROM meetings m WHERE ");
        push_scope_filter(&mut qb, "m.region_code", scopes);
        let total: i64 = qb.build().fetch_one(&self.pool).await?.try_get(0)?;
        Ok((rows, total))
    }
}
